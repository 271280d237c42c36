// The action's flow, in process: runAction with a recording toolkit and a scripted Modal session, through every path
// a user can meet. What is asserted is what a user sees: annotations, outputs, the summary, what changed in Modal.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { SessionFailure } from '../../src/modal/session.js'
import { startFakeGitHubApi } from '../support/fake-github-api.js'
import { cli, contractAnswer, fails, FakeModal, functionCallId, panel, raised } from '../support/fake-modal.js'
import { errorTitles, recordingToolkit } from '../support/recording-toolkit.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { runAction } from '../../src/flow/run-action.js'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`
const BASE = {
  'processor-ref': 'llm/litellm@1',
  'image-ref': IMAGE,
  'modal-environment': 'dev',
  'tool-secrets': 'OPENAI_API_KEY\nLITELLM_API_BASE?',
}

async function run(modal: FakeModal, inputs: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  const kit = recordingToolkit({ ...BASE, ...inputs }, env)
  const report = await runAction(kit, { connect: modal.connect })
  return { ...kit.record, report, errors: errorTitles(kit.record) }
}

function message(result: { annotations: { level: string; message: string }[] }, n = 0): string {
  return result.annotations.filter((a) => a.level === 'error')[n]?.message ?? ''
}

describe('the happy path', () => {
  test('checks, deploys, reads back, calls the new version; one session, closed at the end', async () => {
    const modal = new FakeModal()
    const result = await run(modal)
    expect(result.errors).toEqual([])
    expect(result.failed).toBe(false)
    expect(modal.labels()).toEqual([
      'authenticate',
      'environment',
      'secret',
      'secret',
      'secret',
      'app',
      'modal deploy',
      'modal app history',
      'app',
      'call',
    ])
    expect(modal.sessionsStarted).toBe(1)
    expect(modal.sessionsClosed).toBe(1)
    expect(result.logs).toContain('llm-litellm-v1 v1 is live in dev and answered the smoke call.')
    const deploy = modal.requests.find((r) => r.label === 'modal deploy')!
    expect(deploy.args.args).toEqual(['deploy', '-m', 'modal_app', '--env', 'dev', '--tag', '3f2a1bc9d8e7-r1001.1-800000'])
    expect(deploy.args.env).toMatchObject({
      PROCESSOR_REF: 'llm/litellm@1',
      MODAL_APP_NAME: 'llm-litellm-v1',
      TOOL_SECRETS: 'OPENAI_API_KEY',
      REGISTRY_SECRET: 'REGISTRY_AUTH',
    })
    expect(modal.requests.find((r) => r.label === 'call')!.args).toMatchObject({ version: 1, payload: { schema: 'v1', mode: 'mock' } })
    expect(result.outputs).toMatchObject({
      version: '1',
      'previous-version': '',
      'deployed-version': '1',
      'smoke-status': 'passed',
      phase: 'smoke',
      'error-code': '',
    })
    expect(result.untrusted).toContain('✓ App deployed in 0.100s! 🎉')
    expect(result.summary).toContain('✅ llm/litellm@1 deployed and smoke-tested on Modal `dev`')
    expect(result.groups).toEqual([
      'Validate inputs',
      'Preflight: token, environment, secrets',
      'Deploy llm-litellm-v1 to dev',
      'Verify the live version',
      'Smoke call (mock)',
    ])
  })

  test('a second run of the same definition is a no-op deploy, and the live version is called', async () => {
    const modal = new FakeModal()
    await run(modal)
    const again = await run(modal, {}, { GITHUB_RUN_ID: '1002' })
    expect(again.errors).toEqual([])
    expect(again.outputs).toMatchObject({ version: '1', 'previous-version': '1', 'deployed-version': '' })
    expect(again.logs).toContain('Modal reported no changes: the live version keeps serving; nothing was redeployed.')
    expect(again.summary).toContain('v1 (no changes, nothing redeployed)')
  })

  test('deploy: false calls the version already live; without one, it stops at the preflight', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'a', 'b')
    const result = await run(modal, { deploy: 'false' })
    expect(result.errors).toEqual([])
    expect(modal.labels()).not.toContain('modal deploy')
    expect(result.outputs).toMatchObject({ version: '2', 'smoke-status': 'passed' })
    expect(result.summary).toContain('v2 (deploy: false)')
    const none = await run(new FakeModal(), { deploy: 'false' })
    expect(none.errors).toEqual(['ERR_FUNCTION_NOT_FOUND'])
  })

  test('a dry run with deploy: false says it would deploy nothing', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'a')
    const result = await run(modal, { 'dry-run': 'true', deploy: 'false' })
    expect(result.logs.join('\n')).toContain('deploy nothing (deploy: false): call the live version v1 of app llm-litellm-v1')
    expect(result.logs.join('\n')).not.toContain('from image')
  })

  test('a dry run checks everything, prints the plan and changes nothing', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'a')
    const result = await run(modal, { 'dry-run': 'true' })
    expect(result.errors).toEqual([])
    expect(result.logs.join('\n')).toContain('Dry run: the checks passed; a real run would:')
    expect(modal.labels()).not.toContain('modal deploy')
    expect(modal.labels()).not.toContain('call')
    expect(result.summary).toContain('🧪 Dry run')
    expect(modal.sessionsClosed).toBe(1)
  })
})

describe('secrets in what the processor answers', () => {
  test('a step-env secret echoed by the processor is redacted before the output is cut to size, even across the cut', async () => {
    const secret = `sk-${'k'.repeat(30)}`
    const modal = new FakeModal()
    // The output's JSON is cut at 8192 characters: the secret straddles the cut.
    modal.answerCall = (payload) => ({
      ...(contractAnswer(payload) as object),
      output: { pad: 'x'.repeat(8192 - 10 - '{"pad":"'.length - '","key":"'.length), key: secret, more: 'y'.repeat(20000) },
    })
    const result = await run(modal, {}, { OPENAI_API_KEY: secret })
    expect(result.errors).toEqual([])
    expect(result.outputs['smoke-output']).not.toContain(secret.slice(0, 10))
    expect(result.untrusted.join('\n')).not.toContain(secret)
    expect(result.summary).not.toContain(secret.slice(0, 10))
  })

  test('a JSON credential as a secret: masked by each field and line, and a decoded private key the processor echoes is redacted', async () => {
    const keyLines = ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj', 'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu']
    const privateKey = ['-----BEGIN PRIVATE KEY-----', ...keyLines, '-----END PRIVATE KEY-----', ''].join('\n')
    const account = { type: 'service_account', private_key: privateKey, client_email: 'deployer@acme-prod.iam.gserviceaccount.com' }
    const modal = new FakeModal()
    modal.answerCall = (payload) => ({ ...(contractAnswer(payload) as object), output: { key: privateKey, again: account } })
    const result = await run(modal, {}, { OPENAI_API_KEY: JSON.stringify(account, null, 2) })
    expect(result.errors).toEqual([])
    expect(result.masks).toEqual(expect.arrayContaining([...keyLines, JSON.stringify(account), account.client_email]))
    for (const line of keyLines) {
      expect(result.outputs['smoke-output']).not.toContain(line)
      expect(result.summary).not.toContain(line)
    }
    expect(result.outputs['smoke-output']).not.toContain(account.client_email)
  })
})

describe('inputs and preflight', () => {
  test('bad inputs: every problem at once, and no session is ever started', async () => {
    const modal = new FakeModal()
    const prestarted = {
      killed: false,
      kill() {
        this.killed = true
      },
    }
    const kit = recordingToolkit({ ...BASE, 'processor-ref': 'LLM/x', 'modal-environment': 'en-x' })
    await runAction(kit, { connect: modal.connect, prestarted: prestarted as never })
    expect(errorTitles(kit.record)).toEqual(['ERR_INVALID_PROCESSOR_REF', 'ERR_INVALID_ENVIRONMENT'])
    expect(modal.sessionsStarted).toBe(0)
    expect(prestarted.killed).toBe(true)
  })

  test('an invalid ref with its image to come from the catalogue: the ref’s error, and only that', async () => {
    const result = await run(new FakeModal(), { 'processor-ref': 'llm/litellm@v1', 'image-ref': '' })
    expect(result.errors).toEqual(['ERR_INVALID_PROCESSOR_REF'])
    expect(result.outputs['error-code']).toBe('ERR_INVALID_PROCESSOR_REF')
    expect(message(result)).toContain("Invalid processor ref 'llm/litellm@v1': major must be a number.")
  })

  test('a valid ref the catalogue lacks: the nearest refs it has, and a fix in the action’s words with the ref filled in', async () => {
    const result = await run(new FakeModal(), { 'processor-ref': 'llm/litelm@1', 'image-ref': '' })
    expect(result.errors).toEqual(['ERR_REGISTRY_ENTRY_MISSING'])
    expect(message(result)).toContain(
      'image-ref is empty and modal-processors.json has no entry processors["llm/litelm@1"]. Did you mean \'llm/litellm@1\'?',
    )
    expect(message(result)).toContain(
      'Fix: Give image-ref (and tool-secrets) as inputs, or add llm/litelm@1 to the processor catalogue (catalogue-file)',
    )
    expect(result.summary).toContain("Did you mean 'llm/litellm@1'?")
    const far = await run(new FakeModal(), { 'processor-ref': 'ocr/paddle@1', 'image-ref': '' })
    expect(message(far)).not.toContain('Did you mean')
  })

  test('suggestions are catalogue text: one line in the annotation, inert Markdown in the summary', async () => {
    const dir = scratchDir('catalogue-')
    // Two edits from the ref asked for: a line break and a backtick.
    const key = 'llm/lite\n`lm@1'
    writeFileSync(path.join(dir, 'cat.json'), JSON.stringify({ processors: { [key]: { image: { oci: IMAGE } } } }))
    const result = await run(new FakeModal(), {
      'processor-ref': 'llm/litelm@1',
      'image-ref': '',
      'catalogue-file': path.join(dir, 'cat.json'),
    })
    expect(result.errors).toEqual(['ERR_REGISTRY_ENTRY_MISSING'])
    expect(message(result).split('\n')[0]).toMatch(/Did you mean 'llm\/lite ⏎ `lm@1'\?$/)
    expect(result.summary).toContain("Did you mean 'llm/lite ⏎ \\`lm@1'?")
  })

  test('a processor catalogue named but missing is reported with every other bad input', async () => {
    const result = await run(new FakeModal(), { 'catalogue-file': 'nope/modal-processors.json', 'modal-environment': 'en-x' })
    expect(result.errors).toEqual(['ERR_INVALID_REGISTRY', 'ERR_INVALID_ENVIRONMENT'])
  })

  test('a module folder of the user’s own: deployed from there; one without modal_app.py is refused first', async () => {
    const modal = new FakeModal()
    const own = scratchDir('own-module-')
    writeFileSync(path.join(own, 'modal_app.py'), 'import modal\n')
    const result = await run(modal, { 'modal-module-dir': own })
    expect(result.errors).toEqual([])
    expect(modal.requests.find((r) => r.label === 'modal deploy')?.args.cwd).toBe(own)
    const refused = await run(new FakeModal(), { 'modal-module-dir': 'docs' })
    expect(refused.errors).toEqual(['ERR_INVALID_INPUT'])
    expect(message(refused)).toContain("modal-module-dir 'docs' has no modal_app.py")
  })

  test('a bug inside the action is ERR_UNEXPECTED with what happened, never a crash', async () => {
    const modal = new FakeModal().on('environment', () => {
      throw new TypeError('cannot read properties of undefined')
    })
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_UNEXPECTED'])
    expect(message(result)).toContain('TypeError: cannot read properties of undefined')
    expect(result.outputs.phase).toBe('preflight')
  })

  test('every missing secret, and one without its key, in one run; optional ones are no error', async () => {
    const modal = new FakeModal()
    modal.secrets.clear()
    modal.secrets.set('dev/OPENAI_API_KEY', ['OTHER'])
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_MISSING_SECRET', 'ERR_SECRET_MISSING_KEYS'])
    expect(message(result)).toContain('modal secret create REGISTRY_AUTH')
    expect(modal.labels()).not.toContain('modal deploy')
    expect(result.outputs.phase).toBe('preflight')
  })

  test.each([
    ['Token missing. Could not authenticate client.', 'AuthError', 'ERR_MODAL_TOKEN_MISSING'],
    ['Token ID is malformed', 'AuthError', 'ERR_MODAL_TOKEN_REJECTED'],
    ["Environment 'dev' not found", 'InvalidError', 'ERR_ENVIRONMENT_NOT_FOUND'],
    ['Something else broke', 'InternalError', 'ERR_PREFLIGHT_FAILED'],
  ])('the client says %j: %s → %s', async (text, type, code) => {
    const modal = new FakeModal().on('authenticate', () => fails(raised(type, text)))
    expect((await run(modal)).errors).toEqual([code])
  })

  test('a fix names the run’s values, in the action’s words', async () => {
    const modal = new FakeModal()
    const result = await run(modal, { 'modal-environment': 'prod' })
    expect(result.errors).toEqual(['ERR_ENVIRONMENT_NOT_FOUND'])
    expect(message(result)).toContain('Fix: Create the environment (modal environment create prod) or fix modal-environment')
    expect(result.summary).toContain('modal environment create prod')
  })

  test('an old client is refused before anything changes', async () => {
    const modal = new FakeModal()
    modal.clientVersion = '1.4.2'
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_MODAL_CLIENT_TOO_OLD'])
    expect(result.summary).toContain('`1.4.2`')
  })

  test('no client at all', async () => {
    const modal = new FakeModal()
    modal.startFailure = new SessionFailure(
      'client-missing',
      "the Modal client could not be imported (ModuleNotFoundError: No module named 'modal')",
      '',
    )
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_MODAL_CLI_MISSING'])
    expect(message(result)).toContain('install it with pip install modal')
  })

  test('a deploy failure that stays transient gives up after three attempts, each retry in a new session', async () => {
    const modal = new FakeModal().on('modal deploy', () => cli(1, '', panel('Could not connect to the Modal server.')))
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_DEPLOY_FAILED'])
    expect(result.annotations.filter((a) => a.title === 'Retrying a transient Modal failure')).toHaveLength(2)
    expect(modal.requests.filter((r) => r.label === 'modal deploy').map((r) => r.session)).toEqual([1, 2, 3])
    expect(modal.versions()).toEqual([])
  })

  test('a transient failure is retried with a warning, then the run goes on', async () => {
    const modal = new FakeModal().on('environment', () => fails(raised('ConnectionError', 'Could not connect to the Modal server.')), 1)
    const result = await run(modal)
    expect(result.errors).toEqual([])
    expect(result.annotations.filter((a) => a.title === 'Retrying a transient Modal failure')).toHaveLength(1)
  })
})

describe('deploy and read-back', () => {
  test('a failed deploy is classified from its error panel, with the command', async () => {
    const modal = new FakeModal().on('modal deploy', () => cli(1, '', panel("Secret 'X' not found in environment 'dev'.")))
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_MISSING_SECRET'])
    expect(message(result)).toContain('Command: modal deploy -m modal_app --env dev --tag')
    expect(result.outputs.phase).toBe('deploy')
  })

  test('a failed image build: the signature’s fix, the quoted build-log line, the image id and its logs command, everywhere', async () => {
    const id = 'im-AbCdEfGhIjKlMnOpQrStUv'
    const stdout = `Building image ${id}\n\n=> Step 0: FROM ${IMAGE}\nError: failed to pull ${IMAGE}: unauthorized: authentication required\n`
    const stderr = panel(`Image build for ${id} failed.\nView the build logs:\n  modal image logs ${id}`)
    const modal = new FakeModal().deployed('llm-litellm-v1', 'old').on('modal deploy', () => cli(1, stdout, stderr))
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_IMAGE_PULL_FAILED'])
    const text = message(result)
    expect(text).toContain(`modal deploy failed: the registry refused to let Modal pull the image (image ${id}).`)
    expect(text).toContain(`  Error: failed to pull ${IMAGE}: unauthorized: authentication required`)
    expect(text).toContain(`The whole build log: modal image logs ${id}`)
    expect(text).toContain('Fix: Check the REGISTRY_AUTH secret in the target Modal environment')
    expect(text).not.toContain(`Fix: Modal could not pull the image`)
    expect(result.summary).toContain(`modal image logs ${id}`)
    expect(result.summary).toContain('Fix: Check the REGISTRY\\_AUTH secret')
    expect(result.outputs).toMatchObject({ phase: 'deploy', 'error-code': 'ERR_IMAGE_PULL_FAILED', 'previous-version': '1' })
    expect(modal.labels()).not.toContain('call')
    expect(modal.versions()).toEqual([1])
  })

  test('a deploy that failed after publishing says which version is live and how to go back', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'old')
    modal.on('modal deploy', () => {
      modal.apps.get('llm-litellm-v1')!.versions.push({ version: 2, tag: '3f2a1bc9d8e7-r1001.1-800000', definition: 'x' })
      return cli(1, '', panel('Internal error while publishing'))
    })
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_DEPLOY_FAILED'])
    expect(message(result)).toContain(
      'Note: v2 (tag 3f2a1bc9d8e7-r1001.1-800000) was published before the failure and is live without a smoke call. To go back: modal app rollback llm-litellm-v1 v1 --env dev',
    )
    expect(result.outputs).toMatchObject({ 'deployed-version': '2', version: '2' })
  })

  test('a race: another version went live after ours, so ours is not smoke-tested', async () => {
    const modal = new FakeModal().on('modal app history', () => {
      modal.apps.get('llm-litellm-v1')!.versions.push({ version: 2, tag: 'other-run', definition: 'y' })
      return undefined
    })
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_RACE_DETECTED'])
    expect(message(result)).toContain('The live version is v2 (tag other-run), not v1 deployed by this run')
    expect(result.outputs).toMatchObject({ 'deployed-version': '1', version: '2', 'smoke-status': 'not-run', phase: 'verify' })
  })

  test('a history that is not JSON: the deploy cannot be verified, and that is a failure', async () => {
    const modal = new FakeModal().on('modal app history', () => cli(0, '<html>502 Bad Gateway</html>'))
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_DEPLOY_UNVERIFIED'])
    expect(message(result)).toContain('printed output that is not a version history')
    expect(result.outputs).toMatchObject({ phase: 'verify', 'smoke-status': 'not-run' })
  })

  test('a deploy that reported success but left no version is unverified', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'old').on('modal deploy', () => cli(0, '✓ App deployed in 1s! 🎉\n'))
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_DEPLOY_UNVERIFIED'])
    expect(message(result)).toContain('no version newer than v1 appeared after the deploy')
  })
})

describe('a failed smoke call, and the rollback', () => {
  const garbage = (modal: FakeModal) => {
    modal.answerCall = () => 'not the contract'
    return modal
  }

  test('restored: the previous version is live again, confirmed, and the step still fails', async () => {
    const modal = garbage(new FakeModal().deployed('llm-litellm-v1', 'old'))
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_SMOKE_INVALID_RESPONSE', 'ERR_ROLLED_BACK'])
    expect(message(result, 1)).toContain("v2 failed its smoke call and was rolled back: v1's code is live again, as v3.")
    // The failed call's own logs: `modal app logs --function-call` with the id the call was given.
    expect(message(result)).toContain(`--- modal app logs llm-litellm-v1 --function-call ${functionCallId(1)} ---\nprocessor started`)
    expect(modal.requests.find((r) => r.label === 'modal app logs')!.args.args).toEqual(
      expect.arrayContaining(['--function-call', functionCallId(1)]),
    )
    expect(result.outputs).toMatchObject({ 'rolled-back': 'true', 'deployed-version': '2', version: '3', 'previous-version': '1' })
    expect(modal.versions()).toEqual([1, 2, 3])
  })

  test('unavailable: a first deploy has nothing to go back to', async () => {
    const result = await run(garbage(new FakeModal()))
    expect(result.errors).toEqual(['ERR_SMOKE_INVALID_RESPONSE', 'ERR_ROLLBACK_UNAVAILABLE'])
    expect(message(result, 1)).toContain('modal app stop llm-litellm-v1 --env dev --yes')
  })

  test.each([
    ['refused', panel('Deployment rollbacks are not available on the Starter plan.'), 'ERR_ROLLBACK_REFUSED'],
    ['failed', panel('Internal error'), 'ERR_ROLLBACK_FAILED'],
  ])('%s: said, with the command to run by hand', async (_, stderr, code) => {
    const modal = garbage(new FakeModal().deployed('llm-litellm-v1', 'old')).on('modal app rollback', () => cli(1, '', stderr))
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_SMOKE_INVALID_RESPONSE', code])
    expect(message(result, 1)).toContain('Run by hand: modal app rollback llm-litellm-v1 v1 --env dev')
    expect(result.outputs['rolled-back']).toBe('false')
  })

  test('unconfirmed: the rollback said yes but the failed version is still live', async () => {
    const modal = garbage(new FakeModal().deployed('llm-litellm-v1', 'old')).on('modal app rollback', () =>
      cli(0, '✓ Deployment rollback successful!\n'),
    )
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_SMOKE_INVALID_RESPONSE', 'ERR_ROLLBACK_FAILED'])
    expect(message(result, 1)).toContain('reported success but the live version could not be confirmed (still v2)')
  })

  test('rollback-on-failure: false keeps the failing version', async () => {
    const modal = garbage(new FakeModal().deployed('llm-litellm-v1', 'old'))
    const result = await run(modal, { 'rollback-on-failure': 'false' })
    expect(result.errors).toEqual(['ERR_SMOKE_INVALID_RESPONSE'])
    expect(modal.labels()).not.toContain('modal app rollback')
  })

  test('a processor error and a missing function each have their code; no logs for a function that is not there', async () => {
    const failing = new FakeModal()
    failing.answerCall = () => ({
      ok: false,
      schema: 'v1',
      processor: 'llm/litellm@1',
      mode: 'mock',
      error: { type: 'ProcessorError', code: 'E1', message: 'boom', exit_code: 1, stderr_tail: 'trace' },
    })
    expect((await run(failing, { 'rollback-on-failure': 'false' })).errors).toEqual(['ERR_SMOKE_FAILED'])
    const missing = new FakeModal().on('call', () => fails(raised('NotFoundError', "Lookup failed for Function 'run'", 'lookup')))
    const result = await run(missing, { 'rollback-on-failure': 'false' })
    expect(result.errors).toEqual(['ERR_FUNCTION_NOT_FOUND'])
    expect(missing.labels()).not.toContain('modal app logs')
  })
})

describe('timeouts and cancellation at each phase', () => {
  test.each([
    ['environment', 'ERR_PREFLIGHT_TIMEOUT', 'preflight'],
    ['modal deploy', 'ERR_DEPLOY_TIMEOUT', 'deploy'],
    ['modal app history', 'ERR_DEPLOY_UNVERIFIED', 'verify'],
  ])('%s past its deadline: %s, in phase %s', async (label, code, phase) => {
    const modal = new FakeModal().hang(label)
    const result = await run(modal)
    expect(result.errors).toEqual([code])
    expect(result.outputs.phase).toBe(phase)
    expect(message(result)).toContain('last line before the stop')
  })

  test('a smoke call past its deadline: a new session for the logs and the rollback, and the summary says so', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'old').hang('call', 'timeout', 1)
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_SMOKE_TIMEOUT', 'ERR_ROLLED_BACK'])
    expect(modal.sessionsStarted).toBe(2)
    expect(modal.requests.filter((r) => r.session === 2).map((r) => r.label)).toEqual([
      'modal app logs',
      'modal app rollback',
      'modal app history',
    ])
    expect(result.summary).toContain(
      '### Notes\n\n- A new Modal session was started for modal app logs: the previous one was stopped when the smoke call ran past its deadline.',
    )
  })

  test.each([
    ['environment', 'preflight'],
    ['modal deploy', 'deploy'],
    ['modal app history', 'verify'],
    ['call', 'smoke'],
  ])('a cancel during %s: ERR_CANCELLED in phase %s, nothing after it', async (label, phase) => {
    const modal = new FakeModal().hang(label, 'cancelled')
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_CANCELLED'])
    expect(result.outputs.phase).toBe(phase)
    expect(modal.labels().at(-1)).toBe(label)
  })

  test('a cancel during the rollback', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'old').hang('modal app rollback', 'cancelled')
    modal.answerCall = () => 'garbage'
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_SMOKE_INVALID_RESPONSE', 'ERR_CANCELLED'])
  })

  test('a session that dies mid-deploy is the phase’s error, with its last lines', async () => {
    const modal = new FakeModal().on('modal deploy', () => {
      throw new SessionFailure('died', 'the Modal session exited (code 137)', 'Killed')
    })
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_DEPLOY_FAILED'])
    expect(message(result)).toContain('The Modal session ended during modal deploy: the Modal session exited (code 137).')
  })
})

describe('GitHub Deployments', () => {
  test('no token: not recorded, and said so in the log', async () => {
    const result = await run(new FakeModal(), { 'github-token': '' })
    expect(result.logs.some((line) => line.startsWith('GitHub Deployment not recorded:'))).toBe(true)
  })

  test('recorded as in_progress then success; a failed run is marked failure and its version inactive after a rollback', async () => {
    const api = await startFakeGitHubApi()
    try {
      const env = { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/processors' }
      const ok = await run(new FakeModal(), { 'github-token': 'ghs_token' }, env)
      expect(ok.errors).toEqual([])
      const failing = new FakeModal().deployed('llm-litellm-v1', 'old')
      failing.answerCall = () => 'garbage'
      await run(failing, { 'github-token': 'ghs_token' }, env)
      const states = api.requests.map((r) => (r.body as { state?: string }).state).filter(Boolean)
      expect(states).toEqual(['in_progress', 'success', 'in_progress', 'failure', 'inactive'])
    } finally {
      await api.close()
    }
  })

  test('an API that refuses is one warning, and the deploy goes on', async () => {
    const api = await startFakeGitHubApi()
    api.override(() => ({ status: 403, body: { message: 'Resource not accessible by integration' } }))
    try {
      const result = await run(
        new FakeModal(),
        { 'github-token': 'ghs_token' },
        { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/processors' },
      )
      expect(result.errors).toEqual([])
      expect(result.annotations.filter((a) => a.title === 'GitHub Deployment')).toHaveLength(1)
    } finally {
      await api.close()
    }
  })
})

describe('the report file', () => {
  const workspace = () => scratchDir('workspace-')
  const readReport = (dir: string, file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>

  test('written where report-file says, in the workspace, after a rollback as after a success', async () => {
    const dir = workspace()
    const modal = new FakeModal().deployed('llm-litellm-v1', 'old')
    modal.answerCall = () => 'garbage'
    await run(modal, { 'report-file': 'reports/llm.json' }, { GITHUB_WORKSPACE: dir })
    expect(readReport(dir, 'reports/llm.json')).toMatchObject({
      schema: 'modal-processor-deploy/run-report',
      version: 2,
      ok: false,
      processorRef: 'llm/litellm@1',
      appName: 'llm-litellm-v1',
      versionBefore: 1,
      deployedVersion: 2,
      versionAfter: 3,
      rolledBack: true,
      smokeStatus: 'failed',
      smokeTests: [{ name: 'smoke', status: 'failed', code: 'ERR_SMOKE_INVALID_RESPONSE' }],
      errors: [{ code: 'ERR_SMOKE_INVALID_RESPONSE' }, { code: 'ERR_ROLLED_BACK' }],
    })
    await run(new FakeModal(), { 'report-file': 'reports/llm.json' }, { GITHUB_WORKSPACE: dir })
    expect(readReport(dir, 'reports/llm.json')).toMatchObject({
      ok: true,
      versionBefore: null,
      versionAfter: 1,
      smokeStatus: 'passed',
      errors: [],
    })
  })

  test('also when the inputs are refused, with every problem; none is written unless asked', async () => {
    const dir = workspace()
    await run(new FakeModal(), { 'report-file': 'r.json', 'modal-environment': 'en-x', mode: 'x' }, { GITHUB_WORKSPACE: dir })
    expect(readReport(dir, 'r.json')).toMatchObject({
      ok: false,
      processorRef: null,
      errors: [{ code: 'ERR_INVALID_ENVIRONMENT' }, { code: 'ERR_INVALID_INPUT' }],
    })
    const quiet = workspace()
    await run(new FakeModal(), {}, { GITHUB_WORKSPACE: quiet })
    expect(readdirSync(quiet)).toEqual([])
  })

  test.each([
    ['outside the workspace', '../r.json', 'is outside the workspace'],
    ['a folder', 'reports', 'is a folder'],
    ['the processor catalogue', 'modal-processors.json', 'is the processor catalogue (catalogue-file)'],
  ])('a report-file %s is refused with the inputs, before anything changes', async (_, file, why) => {
    const dir = workspace()
    mkdirSync(path.join(dir, 'reports'))
    const modal = new FakeModal()
    const result = await run(modal, { 'report-file': file }, { GITHUB_WORKSPACE: dir })
    expect(result.errors).toEqual(['ERR_INVALID_INPUT'])
    expect(message(result)).toContain(`report-file '${file}' ${why}`)
    expect(modal.sessionsStarted).toBe(0)
    expect(readdirSync(dir)).toEqual(['reports'])
  })

  test('holds no secret value, and a file that cannot be written is a warning, never a lost report', async () => {
    const dir = workspace()
    const secret = `sk-${'s'.repeat(30)}`
    const modal = new FakeModal()
    modal.answerCall = () => ({
      ok: false,
      schema: 'v1',
      processor: 'llm/litellm@1',
      mode: 'mock',
      error: { type: 'ProcessorError', code: 'ERR_PROVIDER_AUTH', message: `key ${secret} refused`, exit_code: 1, stderr_tail: secret },
    })
    await run(modal, { 'report-file': 'r.json' }, { GITHUB_WORKSPACE: dir, OPENAI_API_KEY: secret })
    const text = readFileSync(path.join(dir, 'r.json'), 'utf8')
    expect(text).toContain('ERR_PROVIDER_AUTH')
    expect(text).not.toContain(secret)
    writeFileSync(path.join(dir, 'file'), '')
    const blocked = await run(new FakeModal(), { 'report-file': 'file/r.json' }, { GITHUB_WORKSPACE: dir })
    expect(blocked.errors).toEqual([])
    expect(blocked.annotations.find((a) => a.title === 'Report file not written')?.message).toMatch(/file\/r\.json/)
    expect(blocked.summary).toContain('llm-litellm-v1')
  })
})
