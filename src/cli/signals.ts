// Ctrl-C and SIGTERM end every command of the CLI. Listening to a signal replaces Node's default exit, so the
// listener has to end the process itself: at once when the command runs no process (it may be reading files, or
// waiting on GitHub), or once the command has reported what the ended processes leave to say (a deploy's report).
import { cancelRunningProcesses } from '../platform/process.js'

/** How long a command whose processes were ended may take to report before the CLI exits anyway. */
const REPORT_GRACE_MS = 10_000
/** A shell's exit code for a process ended by the signal: 128 + its number. */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const

export function endOnSignals(write: (text: string) => void): void {
  let signalled = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      const ended = cancelRunningProcesses()
      const stop = () => {
        write(`modal-processor: cancelled by ${signal}.\n`)
        process.exit(EXIT_CODES[signal])
      }
      // A second signal, or nothing to wait for: end now.
      if (signalled || ended === 0) return stop()
      signalled = true
      setTimeout(stop, REPORT_GRACE_MS).unref()
    })
  }
}
