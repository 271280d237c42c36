// The smoke call: the deployed `run`, pinned to the version now live, with the mode's payload.
import { ActionError } from '../rules/errors.js'
import type { Settings } from './inputs.js'
import type { ModalClient } from '../modal/client.js'
import type { RunReport } from './report.js'
import { judgeSmokeResult, smokePayload } from '../rules/smoke-contract.js'
import type { Toolkit } from './toolkit.js'

export async function smokeCall(kit: Toolkit, client: ModalClient, settings: Settings, report: RunReport): Promise<void> {
  const payload = smokePayload(settings.mode, settings.smokeParams)
  const pin = report.versionAfter === null ? '' : ` (pinned to v${report.versionAfter})`
  kit.info(`Calling ${settings.appName}.run${pin} with mode ${settings.mode}`)
  report.smokeStatus = 'failed'
  const answer = await client.smoke(
    { environment: settings.environment, appName: settings.appName, version: report.versionAfter, payload },
    settings.timeouts.smoke * 1000,
  )
  report.appId = answer.appId ?? report.appId
  report.smokeOutput = judgeSmokeAnswer(answer.result)
  report.smokeStatus = 'passed'
  kit.info('The processor answered:')
  kit.untrusted(JSON.stringify(report.smokeOutput, null, 2).split('\n'))
}

/** The processor's output when `run` answered under the contract with success; otherwise the error to report. */
export function judgeSmokeAnswer(result: unknown): Record<string, unknown> {
  const verdict = judgeSmokeResult(result)
  if (verdict.status === 'invalid') {
    throw new ActionError('ERR_SMOKE_INVALID_RESPONSE', `run returned a response outside the processor contract: ${verdict.problem}`)
  }
  if (verdict.status === 'failed') {
    const code = verdict.code ? ` ${verdict.code}` : ''
    throw new ActionError('ERR_SMOKE_FAILED', `The processor failed (${verdict.errorType}${code}): ${verdict.message}`, {
      stderrTail: verdict.stderrTail ?? undefined,
    })
  }
  return verdict.output
}
