// The deploy phase: `modal deploy` of the module, and what to say when it failed after publishing a version.
import type { ActionError } from '../rules/errors.js'
import type { ModalApp, ModalClient } from '../modal/client.js'
import { REGISTRY_SECRET, requiredSecrets } from '../rules/secrets-policy.js'
import type { Preflight } from '../flow/preflight.js'
import type { Toolkit } from './toolkit.js'
import type { Settings } from '../rules/settings.js'

/** What a deploy needs besides the settings: where the module is, the provenance tag, and what the preflight found. */
export interface DeployTarget {
  moduleDir: string
  tag: string
  preflight: Preflight
}

export interface DeployResult {
  outcome: 'deployed' | 'unchanged'
  dashboardUrl: string | null
}

/** The variables modal/modal_app.py reads (docs/internals.md); the app name is always passed, never derived again. */
export function moduleEnvironment(settings: Settings, preflight: Preflight): Record<string, string> {
  const attached = preflight.secrets.filter((s) => s.status === 'found' && s.name !== REGISTRY_SECRET).map((s) => s.name)
  return {
    PROCESSOR_REF: settings.processorRef,
    IMAGE_REF: settings.imageRef,
    TOOL_SECRETS: attached.join(','),
    REGISTRY_SECRET: requiredSecrets(settings).some((s) => s.name === REGISTRY_SECRET) ? REGISTRY_SECRET : 'none',
    MODAL_APP_NAME: settings.appName,
  }
}

export async function deploy(kit: Toolkit, client: ModalClient, settings: Settings, target: DeployTarget): Promise<DeployResult> {
  // Rolling is the client's default: the flag is passed only for recreate.
  const strategy = settings.strategies.deploy === 'recreate' ? ' --strategy recreate' : ''
  kit.info(`Running: modal deploy -m modal_app --env ${settings.environment} --tag ${target.tag}${strategy} (in ${target.moduleDir})`)
  const request = {
    moduleDir: target.moduleDir,
    environment: settings.environment,
    tag: target.tag,
    strategy: settings.strategies.deploy,
    moduleEnv: moduleEnvironment(settings, target.preflight),
  }
  const output = await client.deploy(request, settings.timeouts.deploy * 1000)
  if (output.skipped) kit.info('Modal reported no changes: the live version keeps serving; nothing was redeployed.')
  return { outcome: output.skipped ? 'unchanged' : 'deployed', dashboardUrl: output.dashboardUrl }
}

/** A version this run published although its deploy then failed or was stopped. */
export interface PublishedDespiteFailure {
  deployedVersion: number
  liveVersion: number
  /** What to add to the failure's message: which version, and how to go back. */
  note: string
}

/**
 * After a deploy that failed or was stopped: a version may have been published before the failure. Read the history
 * back and say so, rather than hide a live, untested version behind a red run.
 */
export async function findPublishedDespiteFailure(
  app: ModalApp,
  settings: Settings,
  target: DeployTarget,
  error: ActionError,
): Promise<PublishedDespiteFailure | null> {
  if (error.code !== 'ERR_DEPLOY_FAILED' && error.code !== 'ERR_DEPLOY_TIMEOUT') return null
  const after = await app.history(settings.timeouts.preflight * 1000).catch(() => null)
  const previous = target.preflight.liveVersion
  const ours = after?.find((row) => row.tag === target.tag && (previous === null || row.version > previous))
  if (!after || !ours) return null
  const back =
    previous === null
      ? `modal app stop ${settings.appName} --env ${settings.environment} --yes`
      : `modal app rollback ${settings.appName} v${previous} --env ${settings.environment}`
  const live = after[0].version === ours.version ? ' and is live without a smoke call' : ''
  return {
    deployedVersion: ours.version,
    liveVersion: after[0].version,
    note: ` Note: v${ours.version} (tag ${target.tag}) was published before the failure${live}. To go back: ${back}`,
  }
}
