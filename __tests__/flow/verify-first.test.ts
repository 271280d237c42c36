// rollout: verify-first, in process with the scripted Modal session: the release is deployed as a candidate app and
// smoke-called there first; only a passing candidate reaches the live app, and the candidate is stopped either way.
import { startFakeGitHubApi } from '../support/fake-github-api.js'
import { callAnswer, cli, contractAnswer, FakeModal, panel, widePanel } from '../support/fake-modal.js'
import { errorTitles, recordingToolkit } from '../support/recording-toolkit.js'
import { runAction } from '../../src/flow/run-action.js'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`
const BASE = {
  'processor-ref': 'llm/litellm@1',
  'image-ref': IMAGE,
  'modal-environment': 'dev',
  'tool-secrets': 'OPENAI_API_KEY',
  rollout: 'verify-first',
}
const LIVE = 'llm-litellm-v1'
const CANDIDATE = 'llm-litellm-v1-candidate'

async function run(modal: FakeModal, inputs: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  const kit = recordingToolkit({ ...BASE, ...inputs }, env)
  const report = await runAction(kit, { connect: modal.connect })
  return { ...kit.record, report, errors: errorTitles(kit.record) }
}

/** A release whose processor fails: every call of a version deployed with this image answers an error. */
function brokenRelease(modal: FakeModal): FakeModal {
  return modal.on('call', () =>
    callAnswer(modal, { ok: false, schema: 'v1', error: { type: 'ProcessorError', message: 'model file missing' }, duration_ms: 2 }),
  )
}

const callsTo = (modal: FakeModal) => modal.requests.filter((r) => r.label === 'call').map((r) => [r.args.app, r.args.version])

describe('a good release under verify-first', () => {
  test('passes as the candidate, is stopped there, then goes live and is smoke-called again pinned to the live version', async () => {
    const modal = new FakeModal().deployed(LIVE, 'a', 'b')
    const result = await run(modal)
    expect(result.errors).toEqual([])
    const deploys = modal.requests.filter((r) => r.label === 'modal deploy')
    expect(deploys.map((r) => (r.args.env as Record<string, string>).MODAL_APP_NAME)).toEqual([CANDIDATE, LIVE])
    // The same module, tag and image for both: only the app name differs.
    const [candidateEnv, liveEnv] = deploys.map((r) => r.args.env as Record<string, string>)
    expect({ ...candidateEnv, MODAL_APP_NAME: LIVE }).toEqual(liveEnv)
    expect(deploys[0].args.args).toEqual(deploys[1].args.args)
    // A session keeps the module its deploy imported, built with the candidate's name: the live deploy runs in a new one.
    expect(deploys.map((r) => r.session)).toEqual([1, 2])
    expect(result.report.notes).toEqual([
      'A new Modal session was started for modal deploy: the previous one was closed so that this deploy imports the module anew.',
    ])
    expect(callsTo(modal)).toEqual([
      [CANDIDATE, 1],
      [LIVE, 3],
    ])
    const stop = modal.requests.find((r) => r.label.startsWith('modal app stop'))!
    expect(stop.args.args).toEqual(['app', 'stop', CANDIDATE, '--env', 'dev', '--yes'])
    // The candidate is stopped before the live app is touched.
    expect(modal.requests.indexOf(stop)).toBeLessThan(modal.requests.indexOf(deploys[1]))
    expect([...modal.stopped]).toEqual([CANDIDATE])
    expect(modal.versions(LIVE)).toEqual([1, 2, 3])
    expect(result.report.phases.map((p) => `${p.phase}:${p.status}`)).toEqual([
      'inputs:passed',
      'preflight:passed',
      'candidate-deploy:passed',
      'candidate-smoke:passed',
      'candidate-stop:passed',
      'deploy:passed',
      'verify:passed',
      'smoke:passed',
    ])
    expect(result.outputs).toMatchObject({
      rollout: 'verify-first',
      'candidate-status': 'passed',
      version: '3',
      'previous-version': '2',
      'deployed-version': '3',
      'smoke-status': 'passed',
      phase: 'smoke',
      'rolled-back': 'false',
    })
    expect(result.summary).toContain(`| Rollout | verify-first: candidate \`${CANDIDATE}\` v1, passed, stopped |`)
    expect(result.summary).toContain('| candidate-smoke | ✅ passed |')
  })

  test('a live smoke failure after a passing candidate is rolled back as under live', async () => {
    const modal = new FakeModal().deployed(LIVE, 'a')
    modal.on('call', (request) => (request.args.app === LIVE ? callAnswer(modal, { ok: true, schema: 'v1' }) : undefined))
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_SMOKE_INVALID_RESPONSE', 'ERR_ROLLED_BACK'])
    expect(result.outputs).toMatchObject({ 'candidate-status': 'passed', 'rolled-back': 'true', phase: 'smoke' })
    expect(modal.versions(LIVE)).toEqual([1, 2, 3])
  })

  test('the default rollout is live: no candidate, the outputs say so', async () => {
    const modal = new FakeModal()
    const result = await run(modal, { rollout: '' })
    expect(result.errors).toEqual([])
    expect(modal.labels().some((l) => l.startsWith('modal app stop'))).toBe(false)
    expect(result.outputs).toMatchObject({ rollout: 'live', 'candidate-status': 'not-run' })
    expect(result.summary).not.toContain('| Rollout |')
  })

  test('an unknown rollout is refused before anything changes', async () => {
    const modal = new FakeModal()
    const result = await run(modal, { rollout: 'canary' })
    expect(result.errors).toEqual(['ERR_INVALID_INPUT'])
    expect(result.annotations[0].message).toContain("rollout must be 'live' or 'verify-first', got 'canary'.")
    expect(modal.sessionsStarted).toBe(0)
  })

  test('a dry run names the candidate in its plan and deploys nothing', async () => {
    const modal = new FakeModal().deployed(LIVE, 'a')
    const result = await run(modal, { 'dry-run': 'true' })
    expect(result.errors).toEqual([])
    expect(result.logs.join('\n')).toContain(
      `first as candidate app ${CANDIDATE}, smoke-tested and stopped; the live app only if it passes`,
    )
    expect(modal.labels()).not.toContain('modal deploy')
  })
})

describe('a broken release under verify-first never becomes live', () => {
  test('the candidate fails its smoke call: live version unchanged, nothing rolled back, candidate stopped', async () => {
    const modal = brokenRelease(new FakeModal().deployed(LIVE, 'a', 'b'))
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_SMOKE_FAILED', 'ERR_CANDIDATE_REFUSED'])
    expect(result.annotations.find((a) => a.title === 'ERR_SMOKE_FAILED')!.message).toContain('model file missing')
    expect(result.annotations.find((a) => a.title === 'ERR_CANDIDATE_REFUSED')!.message).toContain(
      `The release failed as the candidate ${CANDIDATE} v1, so ${LIVE} was not touched: v2 stays live.`,
    )
    // The fix sends the reader to the candidate's logs, not the live app's.
    expect(result.annotations.find((a) => a.title === 'ERR_SMOKE_FAILED')!.message).toContain(
      `Fix: The processor reported an error: the message carries it; check modal app logs ${CANDIDATE} --env dev.`,
    )
    // The live app: the same versions, no deploy and no rollback of it, never called.
    expect(modal.versions(LIVE)).toEqual([1, 2])
    const deploys = modal.requests.filter((r) => r.label === 'modal deploy')
    expect(deploys.map((r) => (r.args.env as Record<string, string>).MODAL_APP_NAME)).toEqual([CANDIDATE])
    expect(modal.labels().some((l) => l.includes('rollback'))).toBe(false)
    expect(callsTo(modal)).toEqual([[CANDIDATE, 1]])
    expect([...modal.stopped]).toEqual([CANDIDATE])
    expect(result.report.phases.map((p) => `${p.phase}:${p.status}`)).toEqual([
      'inputs:passed',
      'preflight:passed',
      'candidate-deploy:passed',
      'candidate-smoke:failed',
      'candidate-stop:passed',
    ])
    expect(result.outputs).toMatchObject({
      version: '2',
      'previous-version': '2',
      'deployed-version': '',
      'smoke-status': 'failed',
      'candidate-status': 'failed',
      'rolled-back': 'false',
      phase: 'candidate-smoke',
      'error-code': 'ERR_SMOKE_FAILED',
    })
    expect(result.summary).toContain(
      `| Version | v2 stayed live: the release failed as the candidate \`${CANDIDATE}\` and was not deployed to the live app |`,
    )
    expect(result.summary).toContain(`verify-first: candidate \`${CANDIDATE}\` v1, failed, stopped`)
    expect(result.failed).toBe(true)
  })

  test('a refused release records no GitHub Deployment; a good one records one', async () => {
    const api = await startFakeGitHubApi()
    try {
      const env = { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/processors' }
      const refused = await run(brokenRelease(new FakeModal().deployed(LIVE, 'a')), { 'github-token': 'ghs_token' }, env)
      expect(refused.errors).toEqual(['ERR_SMOKE_FAILED', 'ERR_CANDIDATE_REFUSED'])
      expect(api.requests).toEqual([])
      const good = await run(new FakeModal().deployed(LIVE, 'a'), { 'github-token': 'ghs_token' }, env)
      expect(good.errors).toEqual([])
      const states = api.requests.map((r) => (r.body as { state?: string }).state).filter(Boolean)
      expect(states).toEqual(['in_progress', 'success'])
    } finally {
      await api.close()
    }
  })

  test('the first release of an app: nothing goes live, and the summary says so', async () => {
    const modal = brokenRelease(new FakeModal())
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_SMOKE_FAILED', 'ERR_CANDIDATE_REFUSED'])
    expect(modal.apps.has(LIVE)).toBe(false)
    expect(result.summary).toContain('| Version | nothing went live:')
    expect(result.outputs.version).toBe('')
  })

  test('a candidate that cannot be deployed: the deploy’s error, the candidate stopped, the live app untouched', async () => {
    const modal = new FakeModal().deployed(LIVE, 'a').on('modal deploy', () => cli(1, '', panel('Image build for im-1 failed.')))
    const result = await run(modal)
    expect(result.errors[result.errors.length - 1]).toBe('ERR_CANDIDATE_REFUSED')
    expect(result.annotations.find((a) => a.title === 'ERR_CANDIDATE_REFUSED')!.message).toContain(
      `could not be deployed as the candidate ${CANDIDATE}, so ${LIVE} was not touched: v1 stays live.`,
    )
    expect(modal.versions(LIVE)).toEqual([1])
    expect(result.outputs).toMatchObject({ 'candidate-status': 'failed', 'smoke-status': 'not-run', phase: 'candidate-deploy' })
  })

  test('a candidate history without this step’s version is unverified, never smoke-tested as this release', async () => {
    const modal = new FakeModal().deployed(LIVE, 'a')
    modal.on(
      'modal deploy',
      () => {
        modal.deployed(CANDIDATE, 'this-run-is-not-me', 'nor-me')
        return cli(0, '✓ App deployed in 0.100s! 🎉\n')
      },
      1,
    )
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_DEPLOY_UNVERIFIED', 'ERR_CANDIDATE_REFUSED'])
    expect(modal.requests.some((r) => r.label === 'call')).toBe(false)
    expect(modal.versions(LIVE)).toEqual([1])
  })
})

describe('a module that names its app itself', () => {
  /** Every deploy goes to the live app, whatever MODAL_APP_NAME says (a module with modal.App("llm-litellm-v1")). */
  const hardCoded = (modal: FakeModal) =>
    modal.on('modal deploy', (request) => {
      ;(request.args.env as Record<string, string>).MODAL_APP_NAME = LIVE
      return undefined
    })

  test('its candidate deploy that went live is named and rolled back; nothing is smoke-called', async () => {
    const modal = hardCoded(new FakeModal().deployed(LIVE, 'a', 'b'))
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_CANDIDATE_NOT_SEPARATE', 'ERR_ROLLED_BACK'])
    expect(result.annotations[0].message).toContain(
      `The candidate's deploy went to the live app ${LIVE} as v3, which was live without a smoke call.`,
    )
    expect(result.annotations[0].message).toContain('modal.App(os.environ["MODAL_APP_NAME"])')
    expect(modal.requests.some((r) => r.label === 'call')).toBe(false)
    // v3 was the stray deploy; v4 is v2's code again.
    expect(modal.versions(LIVE)).toEqual([1, 2, 3, 4])
    expect(result.outputs).toMatchObject({
      'candidate-status': 'failed',
      'deployed-version': '3',
      version: '4',
      'rolled-back': 'true',
      phase: 'candidate-deploy',
    })
    expect(result.summary).toContain('| Version | v2 → v3 failed → rolled back')
  })

  test('the link of a deploy that names another app is enough to stop before any call', async () => {
    const modal = new FakeModal().deployed(LIVE, 'a')
    modal.on('modal deploy', () =>
      cli(0, '✓ App deployed in 0.1s! 🎉\n\nView Deployment: https://modal.com/apps/acme/dev/deployed/elsewhere\n'),
    )
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_CANDIDATE_NOT_SEPARATE', 'ERR_CANDIDATE_REFUSED'])
    expect(result.annotations[0].message).toContain(`modal deploy published the app elsewhere, not the candidate ${CANDIDATE}`)
    expect(result.annotations[1].message).toContain(`so ${LIVE} was not touched: v1 stays live.`)
    expect(modal.versions(LIVE)).toEqual([1])
  })
})

describe('stopping the candidate', () => {
  test('a cancel during the candidate’s smoke call starts no stop; the summary says how to stop it', async () => {
    const modal = new FakeModal().deployed(LIVE, 'a').hang('call', 'cancelled')
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_CANCELLED'])
    expect(modal.labels().some((l) => l.startsWith('modal app stop'))).toBe(false)
    expect(result.report.notes).toContain(`The candidate ${CANDIDATE} may still be deployed: modal app stop ${CANDIDATE} --env dev --yes`)
    expect(modal.versions(LIVE)).toEqual([1])
  })

  test('a stop that fails is a warning with its code; the release still goes live', async () => {
    const modal = new FakeModal().on('modal app stop', () => cli(1, '', widePanel('Could not reach the server: deadline exceeded')))
    const result = await run(modal)
    expect(result.errors).toEqual([])
    expect(result.failed).toBe(false)
    const warning = result.annotations.find((a) => a.level === 'warning' && a.title === 'ERR_CANDIDATE_STOP_FAILED')!
    expect(warning.message).toContain(`Stop it by hand: modal app stop ${CANDIDATE} --env dev --yes`)
    expect(warning.message).toContain('Fix: A warning, not a failed release')
    expect(result.outputs).toMatchObject({ 'candidate-status': 'passed', version: '1', 'error-code': '', phase: 'smoke' })
    expect(result.summary).toContain(`ERR\\_CANDIDATE\\_STOP\\_FAILED: The candidate ${CANDIDATE} could not be stopped`)
    expect(result.summary).toContain(`verify-first: candidate \`${CANDIDATE}\` v1, passed, not stopped`)
  })

  test('a candidate already stopped (or gone) counts as stopped', async () => {
    const modal = new FakeModal().on('modal app stop', () =>
      cli(1, '', "App is already stopped. (Stopped at 2026-12-05 08:00:00+00:00 by 'ci').\n"),
    )
    const result = await run(modal)
    expect(result.errors).toEqual([])
    expect(result.annotations.filter((a) => a.level === 'warning')).toEqual([])
    expect(result.report.phases.find((p) => p.phase === 'candidate-stop')!.detail).toBe(`${CANDIDATE} was not running`)
  })

  test('a candidate left running by an earlier run is reused: a no-op deploy keeps its version, which is tested', async () => {
    const modal = new FakeModal()
    modal.on('modal app stop', () => cli(1, '', widePanel('Could not reach the server')), 1)
    await run(modal)
    expect(modal.stopped.has(CANDIDATE)).toBe(false)
    const again = await run(modal, {}, { GITHUB_RUN_ID: '1002' })
    expect(again.errors).toEqual([])
    expect(again.report.phases.find((p) => p.phase === 'candidate-deploy')!.detail).toBe('v1 already held this release')
    expect(callsTo(modal).slice(-2)).toEqual([
      [CANDIDATE, 1],
      [LIVE, 1],
    ])
    expect(modal.stopped.has(CANDIDATE)).toBe(true)
  })

  test('a contract answer is what the candidate’s caller sees: the payload is the mode’s', async () => {
    const modal = new FakeModal()
    const seen: unknown[] = []
    modal.answerCall = (payload) => (seen.push(payload), contractAnswer(payload))
    await run(modal, { mode: 'mock' })
    expect(seen).toHaveLength(2)
    expect(seen[0]).toEqual(seen[1])
  })
})
