// What the Modal client raised, read into codes: token, environment, transient or not, the smoke call's failures,
// and what a secret lookup found (the exception types and texts of docs/modal-client.md#errors-the-client-raises).
import { fixFor } from '../../src/rules/errors.js'
import { judgeRaised, readSecretLookup, smokeError } from '../../src/modal/raised.js'
import type { Raised } from '../../src/modal/session.js'

const modal = (type: string, ...bases: string[]) => [
  `modal.exception.${type}`,
  ...bases.map((b) => `modal.exception.${b}`),
  'modal.exception.Error',
  'builtins.Exception',
]
function raised(chain: string[], message: string, stage: string | null = null): Raised {
  return { type: chain[0].split('.').pop()!, chain, message, stage }
}
const TOKEN_MISSING =
  'Token missing. Could not authenticate client. If you have token credentials, see modal.com/docs/sdk/py/latest/config for setup help.'

describe('judgeRaised in the preflight', () => {
  test.each([
    [raised(modal('AuthError'), TOKEN_MISSING), 'ERR_MODAL_TOKEN_MISSING'],
    [raised(modal('InvalidError'), "Modal profile 'ci' was not found in /root/.modal.toml."), 'ERR_MODAL_TOKEN_MISSING'],
    [raised(modal('AuthError'), 'Token ID is malformed'), 'ERR_MODAL_TOKEN_REJECTED'],
    [raised(modal('InvalidError'), "Environment 'nope' not found"), 'ERR_ENVIRONMENT_NOT_FOUND'],
    [raised(modal('InvalidError'), "Invalid Secret name: 'x y'."), 'ERR_PREFLIGHT_FAILED'],
  ])('%j → %s', (error, code) => {
    expect(judgeRaised(error, 'preflight')).toEqual({ transient: false, code })
  })

  test.each([
    raised(modal('ConnectionError'), 'Could not connect to the Modal server.'),
    raised(modal('ServiceError'), 'UNAVAILABLE'),
    raised(modal('Error'), 'Deadline exceeded'),
    raised(modal('ResourceExhaustedError'), 'rate limit exceeded, retry later'),
    raised(['builtins.ConnectionRefusedError', 'builtins.ConnectionError', 'builtins.OSError'], '[Errno 111] Connection refused'),
    raised(['builtins.TimeoutError', 'builtins.OSError'], 'timed out'),
  ])('%j is transient', (error) => {
    expect(judgeRaised(error, 'preflight')).toEqual({ transient: true })
  })

  test('a timeout of Modal’s own kind is not the builtin one', () => {
    expect(judgeRaised(raised(modal('SandboxTimeoutError', 'TimeoutError'), 'sandbox'), 'preflight')).toEqual({
      transient: false,
      code: 'ERR_PREFLIGHT_FAILED',
    })
  })
})

describe('judgeRaised in the smoke call', () => {
  test.each([
    [raised(modal('NotFoundError'), "App 'llm-litellm-v1' not found in environment 'dev'", 'lookup'), 'ERR_FUNCTION_NOT_FOUND'],
    [
      raised(modal('NotFoundError'), "Lookup failed for Function 'run' from the 'x' app: can't find object run.", 'lookup'),
      'ERR_FUNCTION_NOT_FOUND',
    ],
    // No environment is not "no function": the fix is another --env (or creating it), not a deploy.
    [raised(modal('InvalidError'), "Environment 'nope' not found", 'lookup'), 'ERR_ENVIRONMENT_NOT_FOUND'],
    [raised(modal('InvalidError'), "Environment 'nope' not found"), 'ERR_ENVIRONMENT_NOT_FOUND'],
    // Raised inside `run` (the processor looked something up): the processor's failure, not a missing function.
    [raised(modal('NotFoundError'), "Secret 'x' not found", 'call'), 'ERR_SMOKE_FAILED'],
    [raised(modal('FunctionTimeoutError', 'TimeoutError'), 'Task timed out after 300 s', 'call'), 'ERR_SMOKE_TIMEOUT'],
    [raised(['builtins.ValueError', 'builtins.Exception'], 'bad input inside run', 'call'), 'ERR_SMOKE_FAILED'],
    [raised(modal('RemoteError'), 'Remote error: boom', 'call'), 'ERR_SMOKE_FAILED'],
    [raised(modal('ExecutionError'), 'Could not deserialize remote exception', 'call'), 'ERR_SMOKE_FAILED'],
    [raised(modal('InvalidError'), 'A generator function cannot be called with `.remote(...)`.', 'call'), 'ERR_SMOKE_FAILED'],
    [
      raised(['builtins.ValueError', 'builtins.Exception'], 'Out of range float values are not JSON compliant: nan', 'answer'),
      'ERR_SMOKE_INVALID_RESPONSE',
    ],
    [raised(modal('AuthError'), TOKEN_MISSING, 'lookup'), 'ERR_MODAL_TOKEN_MISSING'],
    [raised(modal('AuthError'), 'Token ID is malformed', 'lookup'), 'ERR_MODAL_TOKEN_REJECTED'],
  ])('%j → %s', (error, code) => {
    expect(judgeRaised(error, 'smoke')).toEqual({ transient: false, code })
  })

  test('a transient failure of the lookup may be retried', () => {
    expect(judgeRaised(raised(modal('ServiceError'), 'Deadline exceeded', 'lookup'), 'smoke')).toEqual({ transient: true })
  })

  test('a failure during the call is never transient: another try would run the processor again', () => {
    for (const error of [
      raised(modal('ServiceError'), 'Deadline exceeded', 'call'),
      raised(['builtins.ConnectionError'], 'connection reset', 'call'),
    ]) {
      expect(judgeRaised(error, 'smoke')).toEqual({ transient: false, code: 'ERR_SMOKE_FAILED' })
    }
  })
})

describe('smokeError', () => {
  const call = { appName: 'llm-litellm-v1', environment: 'dev', version: 3 }
  const values = { env: 'dev', app: 'llm-litellm-v1', ref: 'llm/litellm@1' }

  test('tells the environment, the app and the function in a version apart, each with its own fix', () => {
    const env = smokeError(raised(modal('InvalidError'), "Environment 'dev' not found"), { ...call, looked: 'app' })
    expect(env.code).toBe('ERR_ENVIRONMENT_NOT_FOUND')
    const app = smokeError(raised(modal('NotFoundError'), "App 'llm-litellm-v1' not found"), { ...call, looked: 'app' })
    expect([app.code, app.message]).toEqual([
      'ERR_FUNCTION_NOT_FOUND',
      "App 'llm-litellm-v1' is not deployed in environment 'dev' (NotFoundError: App 'llm-litellm-v1' not found).",
    ])
    expect(fixFor(app, 'cli', values)).toBe(
      'Deploy it first: modal-processor deploy --ref llm/litellm@1 --env dev (modal app list --env dev shows what is deployed there).',
    )
    const version = smokeError(raised(modal('NotFoundError'), 'not found', 'lookup'), { ...call, looked: 'function' })
    expect(version.message).toMatch(/^App 'llm-litellm-v1' in environment 'dev' has no function run in version v3 /)
    expect(fixFor({ code: version.code, ...version.details }, 'cli', values)).toBe(
      'modal app history llm-litellm-v1 --env dev lists the versions: give --version one of them, or leave --version out to call the live one.',
    )
    const live = smokeError(raised(modal('NotFoundError'), 'not found', 'lookup'), { ...call, version: null, looked: 'function' })
    expect(live.message).toContain('has no function run in its live version')
  })
})

describe('readSecretLookup', () => {
  test('found, missing, missing keys (by message, whatever the type), or an error to report', () => {
    expect(readSecretLookup(null)).toEqual({ status: 'found' })
    expect(readSecretLookup(raised(modal('NotFoundError'), "Secret 'X' not found in environment 'dev'."))).toEqual({ status: 'missing' })
    expect(readSecretLookup(raised(modal('ConflictError', 'InvalidError'), 'Secret is missing key(s): OPENAI_API_KEY, OTHER_KEY'))).toEqual(
      {
        status: 'missing_keys',
        missingKeys: ['OPENAI_API_KEY', 'OTHER_KEY'],
      },
    )
    expect(readSecretLookup(raised(modal('NotFoundError'), 'Secret is missing key(s): K'))).toEqual({
      status: 'missing_keys',
      missingKeys: ['K'],
    })
    const token = raised(modal('AuthError'), 'invalid credentials')
    expect(readSecretLookup(token)).toEqual({ status: 'error', raised: token })
  })
})
