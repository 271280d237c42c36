// What the flow says and asks through: the runner's toolkit (action/runner-toolkit.ts), the terminal's
// (cli/toolkit.ts), or a recording one in tests. The flow never writes to the runner or the terminal itself.
import type { Surface } from '../rules/errors.js'

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
