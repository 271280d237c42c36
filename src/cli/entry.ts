import { fixFor } from '../rules/errors.js'
import { describeUnexpected } from '../rules/unexpected.js'
import { logLine } from '../rules/untrusted-text.js'
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
    // main() reports its own failures; this is the CLI failing before or after it.
    process.stderr.write(`ERR_UNEXPECTED: ${logLine(describeUnexpected(error))}\nFix: ${fixFor({ code: 'ERR_UNEXPECTED' }, 'cli')}\n`)
    process.exitCode = 1
  },
)
