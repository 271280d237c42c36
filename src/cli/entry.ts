import { bundleRoot } from '../platform/bundle-root.js'
import { main } from './main.js'
import { endOnSignals } from './signals.js'

endOnSignals((text) => process.stderr.write(text))
const io = {
  out: (text: string) => process.stdout.write(text),
  err: (text: string) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  actionRoot: bundleRoot(),
}
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`ERR_UNEXPECTED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  },
)
