// The terminal edge of the same flow the action runs: progress on stderr for people, outputs kept for the result.
import type { Toolkit } from '../action/toolkit.js'

export interface TerminalToolkit extends Toolkit {
  outputs: Record<string, string>
}

export function terminalToolkit(inputs: Record<string, string>, options: { quiet: boolean; actionRoot: string }): TerminalToolkit {
  const say = (text: string) => {
    if (!options.quiet) process.stderr.write(`${text}\n`)
  }
  const outputs: Record<string, string> = {}
  return {
    outputs,
    env: process.env,
    actionRoot: options.actionRoot,
    getInput: (name) => inputs[name] ?? '',
    info: (message) => say(`  ${message.replace(/\n/g, '\n  ')}`),
    debug: () => {},
    // A terminal runs no workflow commands, so untrusted text is printed as is.
    untrusted: (lines) => lines.forEach((line) => say(`  ${line}`)),
    untrustedStream: () => ({ write: (line) => say(`  │ ${line}`), end: () => {} }),
    startGroup: (title) => say(`▸ ${title}`),
    endGroup: () => {},
    annotate: (level, title, message) =>
      process.stderr.write(`${level === 'error' ? '✗' : '!'} ${title}: ${message.replace(/\n/g, '\n    ')}\n`),
    setSecret: () => {},
    setOutput: (name, value) => {
      outputs[name] = value
    },
    writeSummary: async () => {},
    fail: () => {
      process.exitCode = 1
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    now: Date.now,
  }
}
