// The action's entry point. The Modal session starts first, so that Python loads the Modal client while Node loads
// the rest of the action: the flow is a separate bundle (dist/main.cjs), imported lazily for that reason.
import { bundleRoot } from '../platform/bundle-root.js'
import { describeUnexpected } from '../rules/unexpected.js'
import { prestartSession } from '../modal/session-process.js'

const prestarted = prestartSession(process.env, bundleRoot())
import('./main.js')
  .then(({ run }) => run(prestarted))
  .catch((error: unknown) => {
    // The flow reports its own failures; this is the action itself breaking. Titled, one line, never a raw stack.
    const text = describeUnexpected(error).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
    process.stdout.write(`::error title=ERR_UNEXPECTED::The action failed unexpectedly: ${text}\n`)
    prestarted?.kill()
    process.exitCode = 1
  })
