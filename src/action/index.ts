// The action's entry point. The Modal session starts first, so that Python loads the Modal client while Node loads
// the rest of the action: the flow is a separate bundle (dist/main.cjs), imported lazily for that reason.
import { bundleRoot } from '../modal/bundle-root.js'
import { prestartSession } from '../modal/session-process.js'

const prestarted = prestartSession(process.env, bundleRoot())
void import('./main.js').then(({ run }) => run(prestarted))
