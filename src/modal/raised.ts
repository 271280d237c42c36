// Pure reading of what the Modal client raised (the session reports the exception's class chain and text): which
// error code it means, whether it is worth another try, and what a secret lookup found (the exception types and texts
// of docs/modal-client.md#errors-the-client-raises).
import { ActionError, type ErrorCode, type Fix } from '../rules/errors.js'
import { isTransient } from './output.js'
import type { FunctionCallFacts, Raised } from './session.js'

/** Where an exception was raised: the preflight checks, or the smoke call (its lookup, or the call itself). */
export type RaisedContext = 'preflight' | 'smoke'

export type RaisedVerdict = { transient: true } | { transient: false; code: ErrorCode }

const TOKEN_MISSING = /Token missing|Modal profile '.*' was not found/
const ENVIRONMENT_NOT_FOUND = /Environment '.*' not found|Invalid Environment name/
const MISSING_KEYS = /Secret is missing key\(s\): *(.*)/
const TRANSIENT_TYPES = [
  'builtins.ConnectionError',
  'builtins.TimeoutError',
  'modal.exception.ConnectionError',
  'modal.exception.ServiceError',
]

const is = (raised: Raised, qualifiedName: string) => raised.chain.includes(qualifiedName)
const isModalError = (raised: Raised) => is(raised, 'modal.exception.Error')

export function judgeRaised(raised: Raised, context: RaisedContext): RaisedVerdict {
  const final = (code: ErrorCode): RaisedVerdict => ({ transient: false, code })
  // A failure of the call itself is never transient: another try would run the processor again (in real mode,
  // against a paid provider), and an error raised by `run` must not be retried.
  const duringCall = context === 'smoke' && raised.stage === 'call'
  // The call returned, but a value JSON cannot carry (NaN, a tuple key): outside the processor contract.
  if (context === 'smoke' && raised.stage === 'answer') return final('ERR_SMOKE_INVALID_RESPONSE')
  if (TOKEN_MISSING.test(raised.message)) return final('ERR_MODAL_TOKEN_MISSING')
  if (is(raised, 'modal.exception.AuthError')) return final('ERR_MODAL_TOKEN_REJECTED')
  // Checked before "not found": a lookup in an environment that does not exist fails for the environment.
  if (!duringCall && ENVIRONMENT_NOT_FOUND.test(raised.message)) return final('ERR_ENVIRONMENT_NOT_FOUND')
  // Without the app, or without its function in the version asked for, there is nothing to call.
  if (context === 'smoke' && !duringCall && is(raised, 'modal.exception.NotFoundError')) return final('ERR_FUNCTION_NOT_FOUND')
  if (duringCall && is(raised, 'modal.exception.FunctionTimeoutError')) return final('ERR_SMOKE_TIMEOUT')
  if (!duringCall && (TRANSIENT_TYPES.some((type) => is(raised, type)) || isTransient(raised.message))) return { transient: true }
  // .remote() re-raises the function's own exception with its original (non-Modal) type.
  if (duringCall && (is(raised, 'modal.exception.RemoteError') || is(raised, 'modal.exception.ExecutionError') || !isModalError(raised))) {
    return final('ERR_SMOKE_FAILED')
  }
  return final(context === 'preflight' ? 'ERR_PREFLIGHT_FAILED' : 'ERR_SMOKE_FAILED')
}

/** The error to report for an exception that ends the preflight or the smoke call. */
export function raisedError(raised: Raised, context: RaisedContext): ActionError {
  const verdict = judgeRaised(raised, context)
  const code = verdict.transient ? (context === 'preflight' ? 'ERR_PREFLIGHT_FAILED' : 'ERR_SMOKE_FAILED') : verdict.code
  return new ActionError(code, raisedMessage(raised))
}

// The app is there, but not `run` in the version called: a version deployed from another module, or one that is not.
const NO_RUN_IN_VERSION: Fix = {
  action:
    'modal app history {app} --env {env} lists the versions: the one called must come from a module that defines run (the modal_app.py of this action does); deploy again to publish one.',
  cli: 'modal app history {app} --env {env} lists the versions: give --version one of them, or leave --version out to call the live one.',
}

/** What a failed lookup of the smoke call says is missing: the environment, the app, or `run` in that version. */
export function smokeError(
  raised: Raised,
  call: { appName: string; environment: string; version: number | null; looked: 'app' | 'function' },
): ActionError {
  const error = raisedError(raised, 'smoke')
  if (error.code !== 'ERR_FUNCTION_NOT_FOUND') return error
  const where = `environment '${call.environment}'`
  if (call.looked === 'app') return new ActionError(error.code, `App '${call.appName}' is not deployed in ${where} (${error.message}).`)
  const version = call.version === null ? 'its live version' : `version v${call.version}`
  return new ActionError(error.code, `App '${call.appName}' in ${where} has no function run in ${version} (${error.message}).`, {
    fix: NO_RUN_IN_VERSION,
  })
}

/**
 * The error for a smoke call that did not end well, from what the session reports of it: the wait timed out, the
 * job's cancel stopped it, or it failed (then as any smoke failure). The first two say whether it was cancelled on
 * Modal, so that nobody has to wonder whether it still runs (and spends).
 */
export function callError(
  raised: Raised,
  facts: FunctionCallFacts | undefined,
  call: { appName: string; environment: string; version: number | null; timeoutMs: number },
): ActionError {
  if (facts === undefined || (!facts.timed_out && facts.stopped_by === null)) return smokeError(raised, { ...call, looked: 'function' })
  const cancel = facts.cancelled
    ? `cancelled on Modal with its containers (function call ${facts.function_call_id})`
    : `not cancelled on Modal: ${facts.cancel_raised ? raisedMessage(facts.cancel_raised) : 'the cancel was not sent'}; it may still run (function call ${facts.function_call_id})`
  if (facts.stopped_by !== null)
    return new ActionError('ERR_CANCELLED', `The job was cancelled while the smoke call ran; the call was ${cancel}.`)
  const after = `${Math.round(call.timeoutMs / 1000)}s`
  return new ActionError('ERR_SMOKE_TIMEOUT', `The smoke call was stopped after ${after} (smoke-timeout) and ${cancel}.`)
}

/** The message shown for an exception: its type, then its text. */
export function raisedMessage(raised: Raised): string {
  return `${raised.type}: ${raised.message}`
}

export type SecretLookup =
  { status: 'found' } | { status: 'missing' } | { status: 'missing_keys'; missingKeys: string[] } | { status: 'error'; raised: Raised }

/** What `Secret.from_name(..., required_keys=).hydrate()` says about a secret; anything else (token, network) is an error. */
export function readSecretLookup(raised: Raised | null): SecretLookup {
  if (raised === null) return { status: 'found' }
  // Checked by message first: the server's FAILED_PRECONDITION text is the stable part, the exception type differs
  // between clients (ConflictError in Python, NotFoundError in JS).
  const missingKeys = MISSING_KEYS.exec(raised.message)
  if (missingKeys) return { status: 'missing_keys', missingKeys: missingKeys[1].match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [] }
  if (is(raised, 'modal.exception.NotFoundError')) return { status: 'missing' }
  return { status: 'error', raised }
}

export function isNotFound(raised: Raised): boolean {
  return is(raised, 'modal.exception.NotFoundError')
}
