// The smoke call: the deployed `run`, pinned to the version now live, with the mode's payload.
import { ActionError } from '../rules/errors.js'
import type { ModalApp } from '../modal/client.js'
import { judgeSmokeResult, smokePayload } from '../rules/smoke-contract.js'
import { safeJson } from '../rules/untrusted-text.js'
import type { Toolkit } from './toolkit.js'
import type { Settings } from '../rules/settings.js'

export interface SmokeResult {
  appId: string
  /** Modal's id of the call (`fc-…`): its own logs are `modal app logs <app> --function-call <id>`. */
  functionCallId: string
  /** The processor's output, under the contract. */
  output: Record<string, unknown>
}

/** Calls `run` with `params`, pinned to `version` (the live one; null: whatever is live), and judges its answer. */
export async function smokeCall(
  kit: Toolkit,
  app: ModalApp,
  settings: Settings,
  version: number | null,
  params: Record<string, unknown> = settings.smokeParams,
): Promise<SmokeResult> {
  const payload = smokePayload(settings.mode, params)
  const pin = version === null ? '' : ` (pinned to v${version})`
  kit.info(`Calling ${app.name}.run${pin} with mode ${settings.mode}`)
  const answer = await app.smoke({ version, payload }, settings.timeouts.smoke * 1000)
  kit.info(`Function call ${answer.functionCallId} answered`)
  const output = aboutCall(answer.functionCallId, () => processorOutputOf(answer.result))
  kit.info('The processor answered:')
  kit.untrusted(safeJson(output, 2).split('\n'))
  return { appId: answer.appId, functionCallId: answer.functionCallId, output }
}

/** The processor's output when `run` answered under the contract with success; otherwise the error to report. */
export function processorOutputOf(result: unknown): Record<string, unknown> {
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

/** `check`'s result; an ActionError it throws is marked as about the call `functionCallId` (its logs are that call's). */
export function aboutCall<T>(functionCallId: string, check: () => T): T {
  try {
    return check()
  } catch (error) {
    if (error instanceof ActionError) error.details.functionCallId ??= functionCallId
    throw error
  }
}
