// The rollback phase: after a failed smoke call of a version this run made live, restore the previous version and
// confirm it. The outcome is returned; the flow reports it.
import { ActionError } from '../rules/errors.js'
import type { ModalApp } from '../modal/client.js'
import { tail } from '../modal/output.js'
import type { Settings } from '../rules/settings.js'

/** The version that failed its smoke call, and the one that was live before it (null: this was the first deploy). */
export interface RollbackTarget {
  failedVersion: number
  previousVersion: number | null
}

export type RollbackOutcome =
  | { status: 'restored'; liveVersion: number }
  | { status: 'unavailable' }
  | { status: 'refused' | 'failed' | 'unconfirmed'; message: string; stderrTail?: string; liveVersion: number | null }

export async function rollBack(app: ModalApp, settings: Settings, target: RollbackTarget): Promise<RollbackOutcome> {
  if (target.previousVersion === null) return { status: 'unavailable' }
  const request = { version: target.previousVersion, strategy: settings.strategies.rollback }
  const result = await app.rollback(request, settings.timeouts.deploy * 1000)
  if (!result.ok)
    return { status: result.refused ? 'refused' : 'failed', message: result.message, stderrTail: result.stderrTail, liveVersion: null }
  const history = await app.history(settings.timeouts.preflight * 1000).catch(() => null)
  const live = history?.[0] ?? null
  if (live === null || live.version === target.failedVersion)
    return { status: 'unconfirmed', message: '', liveVersion: live?.version ?? null }
  return { status: 'restored', liveVersion: live.version }
}

/** How a rollback outcome is reported next to the smoke failure (the step fails either way). */
export function rollbackReport(outcome: RollbackOutcome, settings: Settings, target: RollbackTarget): ActionError {
  const app = settings.appName
  const env = settings.environment
  const failed = target.failedVersion
  const command = `modal app rollback ${app} v${target.previousVersion} --env ${env}`
  switch (outcome.status) {
    case 'restored':
      return new ActionError(
        'ERR_ROLLED_BACK',
        `v${failed} failed its smoke call and was rolled back: v${target.previousVersion}'s code is live again, as v${outcome.liveVersion}.`,
      )
    case 'unavailable':
      return new ActionError(
        'ERR_ROLLBACK_UNAVAILABLE',
        `v${failed} was the first deploy of ${app}, so there is no earlier version to restore; it is still live. To take it down: modal app stop ${app} --env ${env} --yes`,
      )
    case 'unconfirmed':
      return new ActionError(
        'ERR_ROLLBACK_FAILED',
        `${command} reported success but the live version could not be confirmed${outcome.liveVersion === null ? '' : ` (still v${outcome.liveVersion})`}. Check: modal app history ${app} --env ${env}`,
        { command },
      )
    default:
      return new ActionError(
        outcome.status === 'refused' ? 'ERR_ROLLBACK_REFUSED' : 'ERR_ROLLBACK_FAILED',
        `Rolling back v${failed} to v${target.previousVersion} did not happen: ${outcome.message}. v${failed} may still be live. Run by hand: ${command}`,
        { command, stderrTail: outcome.stderrTail },
      )
  }
}

/** A failed run waits at most this long for the app's logs. */
const LOGS_TIMEOUT_MS = 10_000

/**
 * Adds to a failed smoke phase's first error the logs of the call it is about (else `lastCall`, the phase's last; else
 * the app's last lines): they say more about the failure. None for a cancelled step or a function that does not exist.
 */
export async function addCallLogs(app: ModalApp, failures: ActionError[], lastCall: string | undefined): Promise<void> {
  const [first] = failures
  if (failures.some((f) => f.code === 'ERR_CANCELLED') || first.code === 'ERR_FUNCTION_NOT_FOUND') return
  const call = first.details.functionCallId ?? lastCall
  const logs = await app.logs(50, LOGS_TIMEOUT_MS, call).catch(() => null)
  if (!logs) return
  const source = call === undefined ? `${app.name} (last lines)` : `${app.name} --function-call ${call}`
  first.details.stderrTail = `${first.details.stderrTail ?? ''}\n--- modal app logs ${source} ---\n${tail(logs, 20, 2000)}`.trim()
}
