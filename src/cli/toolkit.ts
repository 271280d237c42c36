// The terminal edge of the same flow the action runs: progress on stderr for people, outputs kept for the result.
import type { Toolkit } from '../flow/toolkit.js'
import { logBlock, logLine, logLines } from '../rules/untrusted-text.js'
import type { CliIo } from './io.js'

export interface TerminalToolkit extends Toolkit {
  outputs: Record<string, string>
}

export function terminalToolkit(inputs: Record<string, string>, options: { quiet: boolean; io: CliIo }): TerminalToolkit {
  const { io } = options
  // Every line printed passes here: one line, its controls visible (no escape sequence, no CR that overwrites the
  // line), bounded (rules/untrusted-text.ts). A terminal runs no workflow commands, so nothing else is needed.
  const say = (block: string[], prefix: string) => {
    if (!options.quiet) io.err(block.map((line) => `${prefix}${line}\n`).join(''))
  }
  const outputs: Record<string, string> = {}
  return {
    outputs,
    env: io.env,
    actionRoot: io.actionRoot,
    surface: 'cli',
    getInput: (name) => inputs[name] ?? '',
    info: (message) => say(logLines(message), '  '),
    debug: () => {},
    untrusted: (lines) => say(logBlock(lines), '  '),
    // The CR of a CRLF ends the line; it does not start one.
    untrustedStream: () => ({ write: (line) => say(logLines(line.replace(/\r$/, '')), '  │ '), end: () => {} }),
    startGroup: (title) => say([logLine(title)], '▸ '),
    endGroup: () => {},
    annotate: (level, title, message) => {
      const [first, ...rest] = logLines(message)
      const head = `${level === 'error' ? '✗' : '!'} ${logLine(title)}: ${first}\n`
      io.err(head + rest.map((line) => `    ${line}\n`).join(''))
    },
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
