// The runner-facing edge: everything the action says to GitHub goes through this interface, so the flow in
// main.ts can be tested with a recording fake and the bundle talks to @actions/core.
import { randomUUID } from 'node:crypto'
import * as core from '@actions/core'
import { bundleRoot } from '../modal/bundle-root.js'
import type { Surface } from '../rules/errors.js'
import { logBlock, logLine, logLines, visibleControls } from '../rules/untrusted-text.js'

export interface Toolkit {
  env: NodeJS.ProcessEnv
  /** The action's own folder (holds modal/): the parent of dist/. */
  actionRoot: string
  /** Whose words the fixes use: the action's inputs (the default), or the CLI's flags. */
  surface?: Surface
  getInput(name: string): string
  info(message: string): void
  /** Shown only when the run has debug logging on (RUNNER_DEBUG=1). */
  debug(message: string): void
  /** Prints text that must not be read as workflow commands (processor output, stderr). */
  untrusted(lines: string[]): void
  /** The same for text that arrives line by line (the deploy's output); `end` resumes command processing. */
  untrustedStream(): { write(line: string): void; end(): void }
  startGroup(title: string): void
  endGroup(): void
  annotate(level: 'error' | 'warning' | 'notice', title: string, message: string): void
  setSecret(value: string): void
  setOutput(name: string, value: string): void
  writeSummary(markdown: string): Promise<void>
  fail(): void
  sleep(ms: number): Promise<void>
  random(): number
  now(): number
}

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
