import { main } from './main.js'
import { cancelRunningProcesses } from '../modal/process.js'

// Ctrl-C (or a kill) ends the running Modal session's whole process group, so nothing goes on behind the CLI.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, cancelRunningProcesses)

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`ERR_UNEXPECTED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  },
)
