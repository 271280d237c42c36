// The terminal edge of the same flow the action runs: progress on stderr for people, outputs kept for the result.
import type { Toolkit } from '../action/toolkit.js'
import type { CliIo } from './io.js'

export interface TerminalToolkit extends Toolkit {
  outputs: Record<string, string>
}

export function terminalToolkit(inputs: Record<string, string>, options: { quiet: boolean; io: CliIo }): TerminalToolkit {
  const { io } = options
  const say = (text: string) => {
    if (!options.quiet) io.err(`${text}\n`)
  }
  const outputs: Record<string, string> = {}
  return {
    outputs,
    env: io.env,
    actionRoot: io.actionRoot,
    surface: 'cli',
    getInput: (name) => inputs[name] ?? '',
    info: (message) => say(`  ${message.replace(/\n/g, '\n  ')}`),
    debug: () => {},
    // A terminal runs no workflow commands, so untrusted text is printed as is.
    untrusted: (lines) => lines.forEach((line) => say(`  ${line}`)),
    untrustedStream: () => ({ write: (line) => say(`  │ ${line}`), end: () => {} }),
    startGroup: (title) => say(`▸ ${title}`),
    endGroup: () => {},
    annotate: (level, title, message) => io.err(`${level === 'error' ? '✗' : '!'} ${title}: ${message.replace(/\n/g, '\n    ')}\n`),
    setSecret: () => {},
    setOutput: (name, value) => {
      outputs[name] = value
    },
    writeSummary: async () => {},
    // The command's exit code says it (deploy returns 1).
    fail: () => {},
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    now: Date.now,
  }
}
