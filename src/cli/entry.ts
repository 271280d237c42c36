import { bundleRoot } from '../modal/bundle-root.js'
import { cancelOnSignals } from '../modal/process.js'
import { main } from './main.js'

cancelOnSignals()
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
