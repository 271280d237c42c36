// The smoke call as requests to the Modal session: the app's lookup, then one call that the session spawns, waits on
// until the smoke deadline and cancels on Modal when it does not end well (docs/internals.md#calls-that-never-outlive-the-step).
import { ActionError } from '../rules/errors.js'
import { callError, smokeError } from './raised.js'
import type { PhaseTerms, SessionKeeper } from './session-keeper.js'

/** How long after the smoke deadline the session may take to cancel a call that ran past it and say so. */
const CANCEL_ANSWER_MS = 10_000

export interface SmokeCall {
  environment: string
  appName: string
  version: number | null
  payload: Record<string, unknown>
}

export interface SmokeAnswer {
  appId: string
  result: unknown
  functionCallId: string
}

/** `onCall` is told the id of the call as soon as it is known, whether or not the call ended well. */
export async function smokeRequest(
  sessions: SessionKeeper,
  call: SmokeCall,
  timeoutMs: number,
  onCall: (functionCallId: string) => void,
): Promise<SmokeAnswer> {
  const terms: PhaseTerms = {
    deadline: Date.now() + timeoutMs,
    timeout: (stderrTail) =>
      new ActionError('ERR_SMOKE_TIMEOUT', `The smoke call was stopped after ${Math.round(timeoutMs / 1000)}s (smoke-timeout).`, {
        stderrTail,
      }),
    failure: 'ERR_SMOKE_FAILED',
    subject: 'the smoke call',
  }
  const app = await sessions.sdk('app', { name: call.appName, environment: call.environment }, terms, 'smoke')
  if (!app.ok) throw smokeError(app.raised, { ...call, looked: 'app' })
  // The session waits until the smoke deadline, then cancels the call; this side waits a little longer for that answer.
  const request = {
    app: call.appName,
    function: 'run',
    environment: call.environment,
    version: call.version,
    payload: call.payload,
    timeout: Math.max(0, (terms.deadline - Date.now()) / 1000),
  }
  const answer = await sessions.sdk('call', request, { ...terms, deadline: terms.deadline + CANCEL_ANSWER_MS }, 'smoke')
  if (answer.ok) {
    onCall(answer.value.function_call_id)
    return { appId: app.value.app_id, result: answer.value.result, functionCallId: answer.value.function_call_id }
  }
  const error = callError(answer.raised, answer.functionCall, { ...call, timeoutMs })
  if (answer.functionCall) {
    onCall(answer.functionCall.function_call_id)
    error.details.functionCallId = answer.functionCall.function_call_id
  }
  throw error
}
