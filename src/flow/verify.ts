// The verify phase: read the history back, and judge which version is live and whether it is this run's.
import { ActionError } from '../rules/errors.js'
import type { ModalApp } from '../modal/client.js'
import { judgeDeploy, type DeployVerdict } from '../rules/rollout.js'
import type { DeployResult, DeployTarget } from '../flow/deploy.js'
import type { Settings } from '../rules/settings.js'

export type { DeployVerdict }

/** The verdict on the deploy: deployed or unchanged (the versions), raced or unverified. */
export async function readBack(app: ModalApp, settings: Settings, target: DeployTarget, deployed: DeployResult): Promise<DeployVerdict> {
  const before = target.preflight.app.exists ? target.preflight.app.history : []
  const after = await app.history(settings.timeouts.preflight * 1000)
  return judgeDeploy(before, after, deployed.outcome === 'unchanged', target.tag)
}

/** The error for a verdict that stops the run before the smoke call. */
export function verdictError(verdict: Extract<DeployVerdict, { status: 'raced' | 'unverified' }>, appName: string): ActionError {
  if (verdict.status === 'unverified') return new ActionError('ERR_DEPLOY_UNVERIFIED', `The deploy finished but ${verdict.reason}.`)
  const ours = verdict.ourVersion === null ? 'the one this run deployed' : `v${verdict.ourVersion} deployed by this run`
  return new ActionError(
    'ERR_RACE_DETECTED',
    `The live version is v${verdict.liveVersion} (${verdict.liveTag === null ? 'without a tag' : `tag ${verdict.liveTag}`}), not ${ours}: another deploy of ${appName} finished meanwhile, so it was not smoke-tested.`,
  )
}
