// The action's flow bundle (dist/main.cjs): the shared deploy flow, with the runner as its toolkit and the runner's
// cancel signals ending whatever runs.
import { runAction } from '../flow/run-action.js'
import type { SessionProcess } from '../modal/session-process.js'
import { cancelOnSignals, trackProcess } from '../platform/process.js'
import { runnerToolkit } from './runner-toolkit.js'

/** `prestarted`: the Modal session process the entry point started while the bundle loaded, if any. */
export async function run(prestarted: SessionProcess | null = null): Promise<void> {
  cancelOnSignals()
  if (prestarted) trackProcess(prestarted.child)
  await runAction(runnerToolkit(), { prestarted })
}
