// The runner-facing edge: everything the action says to GitHub goes through this interface, so the flow in
// main.ts can be tested with a recording fake and the bundle talks to @actions/core.
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import * as core from '@actions/core'

export interface Toolkit {
  env: NodeJS.ProcessEnv
  /** The action's own folder (holds modal/): the parent of dist/. */
  actionRoot: string
  getInput(name: string): string
  info(message: string): void
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

/** Stops the runner from reading commands until the random token is echoed (actions/toolkit `stop-commands`). */
function stopCommands(): { write(line: string): void; end(): void } {
  const token = randomUUID()
  let opened = false
  return {
    write: (line) => {
      if (!opened) process.stdout.write(`::stop-commands::${token}\n`)
      opened = true
      process.stdout.write(`${line}\n`)
    },
    end: () => {
      if (opened) process.stdout.write(`::${token}::\n`)
    },
  }
}

export function runnerToolkit(): Toolkit {
  return {
    env: process.env,
    actionRoot: path.resolve(path.dirname(process.argv[1] ?? '.'), '..'),
    getInput: (name) => core.getInput(name),
    info: (message) => core.info(message),
    untrusted: (lines) => {
      const stream = stopCommands()
      for (const line of lines) stream.write(line)
      stream.end()
    },
    untrustedStream: stopCommands,
    startGroup: (title) => core.startGroup(title),
    endGroup: () => core.endGroup(),
    annotate: (level, title, message) => core[level](message, { title }),
    setSecret: (value) => core.setSecret(value),
    setOutput: (name, value) => core.setOutput(name, value),
    writeSummary: async (markdown) => {
      if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write()
    },
    fail: () => {
      process.exitCode = 1
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    now: Date.now,
  }
}
