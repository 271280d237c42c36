// What a CLI command reads and writes: its two streams, its environment, and where Modal sessions come from
// (a real process by default; a scripted session in tests).
import type { SessionConnector } from '../modal/session-keeper.js'

export interface CliIo {
  out(text: string): void
  err(text: string): void
  env: NodeJS.ProcessEnv
  /** The folder relative paths are read from. */
  cwd: string
  actionRoot: string
  connect?: SessionConnector
}
