import { main } from './main.js'
import { cancelOnSignals } from '../modal/process.js'

cancelOnSignals()

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`ERR_UNEXPECTED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  },
)
