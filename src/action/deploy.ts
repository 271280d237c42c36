// Deploy, verify what went live, and roll back a version whose smoke call failed.
import { ActionError } from '../rules/errors.js'
import type { Settings } from './inputs.js'
import type { ModalClient, PreflightReport } from '../modal/client.js'
import { tail } from '../modal/output.js'
import { appNameOf } from '../rules/naming.js'
import type { RunReport } from './report.js'
import { judgeDeploy } from '../rules/rollout.js'
import { REGISTRY_SECRET, requiredSecrets } from '../rules/secrets-policy.js'
import type { Toolkit } from './toolkit.js'

/** The variables modal/modal_app.py reads (docs/internals.md). */
export function moduleEnvironment(settings: Settings, found: PreflightReport): Record<string, string> {
  const attached = found.secrets.filter((s) => s.status === 'found' && s.name !== REGISTRY_SECRET).map((s) => s.name)
  return {
    PROCESSOR_REF: settings.processorRef,
    IMAGE_REF: settings.imageRef,
    TOOL_SECRETS: attached.join(','),
    REGISTRY_SECRET: requiredSecrets(settings).some((s) => s.name === REGISTRY_SECRET) ? REGISTRY_SECRET : 'none',
    // Only an override is passed: otherwise modal_app.py names the app with its own copy of the rule.
    ...(settings.appName !== appNameOf(settings.processor) ? { MODAL_APP_NAME: settings.appName } : {}),
  }
}

export async function deploy(
  kit: Toolkit,
  client: ModalClient,
  settings: Settings,
  found: PreflightReport,
  moduleDir: string,
  report: RunReport,
): Promise<void> {
  const tag = report.tag ?? ''
  kit.info(`Running: modal deploy -m modal_app --env ${settings.environment} --tag ${tag} (in ${moduleDir})`)
  const output = await client.deploy(
    moduleDir,
    settings.environment,
    tag,
    moduleEnvironment(settings, found),
    settings.timeouts.deploy * 1000,
  )
  report.dashboardUrl = output.dashboardUrl
  report.deployOutcome = output.skipped ? 'unchanged' : 'deployed'
  if (output.skipped) kit.info('Modal reported no changes: the live version keeps serving; nothing was redeployed.')
}

/**
 * After a deploy that failed or was stopped: a version may have been published before the failure. Read the history
 * back and say so, rather than hide a live, untested version behind a red run.
 */
export async function noteVersionPublishedDespiteFailure(
  client: ModalClient,
  settings: Settings,
  found: PreflightReport,
  report: RunReport,
  error: ActionError,
): Promise<void> {
  if (error.code !== 'ERR_DEPLOY_FAILED' && error.code !== 'ERR_DEPLOY_TIMEOUT') return
  const after = await client.history(settings.appName, settings.environment, settings.timeouts.preflight * 1000).catch(() => null)
  const previous = found.app.exists ? (found.app.history[0]?.version ?? null) : null
  const ours = after?.find((row) => row.tag === report.tag && (previous === null || row.version > previous))
  if (!after || !ours) return
  report.deployedVersion = ours.version
  report.versionAfter = after[0].version
  const back =
    previous === null
      ? `modal app stop ${settings.appName} --env ${settings.environment} --yes`
      : `modal app rollback ${settings.appName} v${previous} --env ${settings.environment}`
  error.message += ` Note: v${ours.version} (tag ${report.tag}) was published before the failure${after[0].version === ours.version ? ' and is live without a smoke call' : ''}. To go back: ${back}`
}

/** Reads the history back: which version is live, and whether it is the one this run created. */
export async function verify(client: ModalClient, settings: Settings, found: PreflightReport, report: RunReport): Promise<void> {
  const before = found.app.exists ? found.app.history : []
  const after = await client.history(settings.appName, settings.environment, settings.timeouts.preflight * 1000)
  const verdict = judgeDeploy(before, after, report.deployOutcome === 'unchanged', report.tag ?? '')
  switch (verdict.status) {
    case 'deployed':
      report.deployedVersion = verdict.version
      report.versionAfter = verdict.version
      return
    case 'unchanged':
      report.versionAfter = verdict.version
      return
    case 'unverified':
      throw new ActionError('ERR_DEPLOY_UNVERIFIED', `The deploy finished but ${verdict.reason}.`)
    case 'raced':
      report.deployedVersion = verdict.ourVersion
      report.versionAfter = verdict.liveVersion
      throw new ActionError(
        'ERR_RACE_DETECTED',
        `The live version is v${verdict.liveVersion} (tag ${verdict.liveTag ?? 'none'}), not ${verdict.ourVersion === null ? 'the one this run deployed' : `v${verdict.ourVersion} deployed by this run`}: another deploy of ${settings.appName} finished meanwhile, so it was not smoke-tested.`,
      )
  }
}

/**
 * After a failed smoke call of a version this run made live: restore the previous version and confirm it.
 * Returns the problems to report next to the smoke failure (the step fails either way).
 */
export async function rollBack(client: ModalClient, settings: Settings, report: RunReport): Promise<ActionError[]> {
  const app = settings.appName
  const env = settings.environment
  const failed = report.deployedVersion
  const previous = report.versionBefore
  if (previous === null) {
    return [
      new ActionError(
        'ERR_ROLLBACK_UNAVAILABLE',
        `v${failed} was the first deploy of ${app}, so there is no earlier version to restore; it is still live. To take it down: modal app stop ${app} --env ${env} --yes`,
      ),
    ]
  }
  const command = `modal app rollback ${app} v${previous} --env ${env}`
  const result = await client.rollback(app, env, previous, settings.timeouts.deploy * 1000)
  if (!result.ok) {
    const code = result.refused ? 'ERR_ROLLBACK_REFUSED' : 'ERR_ROLLBACK_FAILED'
    return [
      new ActionError(
        code,
        `Rolling back v${failed} to v${previous} did not happen: ${result.message}. v${failed} may still be live. Run by hand: ${command}`,
        { command, stderrTail: result.stderrTail },
      ),
    ]
  }
  const history = await client.history(app, env, settings.timeouts.preflight * 1000).catch(() => null)
  const live = history?.[0] ?? null
  if (live === null || live.version === failed) {
    return [
      new ActionError(
        'ERR_ROLLBACK_FAILED',
        `${command} reported success but the live version could not be confirmed${live ? ` (still v${live.version})` : ''}. Check: modal app history ${app} --env ${env}`,
        { command },
      ),
    ]
  }
  report.rolledBack = true
  report.versionAfter = live.version
  return [
    new ActionError(
      'ERR_ROLLED_BACK',
      `v${failed} failed its smoke call and was rolled back: v${previous}'s code is live again, as v${live.version}.`,
    ),
  ]
}

/** The last lines the app logged, to show next to a failed smoke call; empty when they cannot be had. */
export async function recentLogs(client: ModalClient, settings: Settings): Promise<string> {
  const logs = await client.logs(settings.appName, settings.environment, 50, 30000).catch(() => null)
  return logs ? tail(logs, 20, 2000) : ''
}
