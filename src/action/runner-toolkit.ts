// The runner-facing edge: the Toolkit (flow/toolkit.ts) over @actions/core, the one place the action speaks the
// runner's protocol (workflow commands, the output and summary files).
import { randomUUID } from 'node:crypto'
import * as core from '@actions/core'
import { bundleRoot } from '../platform/bundle-root.js'
import type { Toolkit } from '../flow/toolkit.js'
import { logBlock, logLine, logLines, visibleControls } from '../rules/untrusted-text.js'

/**
 * Untrusted text goes between `::stop-commands::<token>` and `::<token>::` (actions/toolkit), so the runner reads
 * none of it as a workflow command. The fence must be closed before the action's own commands (annotations,
 * groups), or the runner would ignore those too: `close` is called first by every command the action writes.
 */
function commandFence() {
  let token: string | null = null
  return {
    write(line: string) {
      if (token === null) {
        token = randomUUID()
        process.stdout.write(`::stop-commands::${token}\n`)
      }
      process.stdout.write(`${line}\n`)
    },
    close() {
      if (token !== null) process.stdout.write(`::${token}::\n`)
      token = null
    },
  }
}

export function runnerToolkit(): Toolkit {
  const fence = commandFence()
  const command =
    <A extends unknown[]>(write: (...args: A) => void) =>
    (...args: A) => {
      fence.close()
      write(...args)
    }
  // Every line the action writes passes here: made one line, its controls visible, bounded (rules/untrusted-text.ts).
  const fenced = (block: string[]) => {
    for (const line of block) fence.write(line)
    fence.close()
  }
  return {
    env: process.env,
    actionRoot: bundleRoot(),
    getInput: (name) => core.getInput(name),
    // A message of several lines may carry text from inputs or file names: no line of it may read as a command.
    info: (message) => {
      const parts = logLines(message)
      if (parts.length === 1) return command((text: string) => core.info(text))(parts[0])
      fenced(parts)
    },
    debug: command((message: string) => core.debug(logLines(message).join('\n'))),
    untrusted: (lines) => fenced(logBlock(lines)),
    // A line ends with the CR of a CRLF when a program on the other side wrote one: not a line of its own.
    untrustedStream: () => ({
      write: (line) => logLines(line.replace(/\r$/, '')).forEach((part) => fence.write(part)),
      end: () => fence.close(),
    }),
    startGroup: command((title: string) => core.startGroup(logLine(title))),
    endGroup: command(() => core.endGroup()),
    annotate: command((level: 'error' | 'warning' | 'notice', title: string, message: string) =>
      core[level](logLines(message).join('\n'), { title: logLine(title) }),
    ),
    setSecret: command((value: string) => core.setSecret(value)),
    // An output keeps its line breaks (the runner fences them); no control reaches a step that shows it.
    setOutput: (name, value) => core.setOutput(name, visibleControls(value)),
    writeSummary: async (markdown) => {
      if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(visibleControls(markdown)).write()
    },
    fail: () => {
      process.exitCode = 1
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    now: Date.now,
  }
}
