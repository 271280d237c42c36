// The fault suite: each fault injected through the emulator, the bundled action run as the runner runs it, and the
// exit code, annotations, outputs, summary and what was (not) deployed asserted. World.run also proves that no
// planted secret value reaches any output.
import { startFakeGitHubApi } from '../support/fake-github-api.js'
import { errorMessage, errorTitles, expectFailure, World } from './world.js'

/** A world where v1 is live and a changed deploy (v2) is about to happen. */
async function worldWithLiveVersion(): Promise<World> {
  const world = new World()
  const first = await world.run({ 'tool-secrets': '' })
  expect(first.exitCode).toBe(0)
  return world
}

describe('retries', () => {
  test('a transient deploy failure is retried and the run succeeds', async () => {
    const world = new World()
    world.emulator.addFault('deploy', 'transient', { times: 1 })
    const run = await world.run()
    expect(errorTitles(run)).toEqual([])
    expect(run.exitCode).toBe(0)
    const retries = run.annotations.filter((a) => a.title === 'Retrying a transient Modal failure')
    expect(retries).toHaveLength(1)
    expect(retries[0].message).toContain('Could not connect to the Modal server')
    expect(world.versions()).toHaveLength(1)
  })
})

describe('rollback after a failed smoke call', () => {
  test('restores the previous version, confirms it and still fails the step', async () => {
    const world = await worldWithLiveVersion()
    world.emulator.addFault('sdk:function.remote', 'garbage', { times: 1 })
    const run = await world.run({}, { GITHUB_RUN_ID: '2002' })
    expectFailure(run, ['ERR_SMOKE_INVALID_RESPONSE', 'ERR_ROLLED_BACK'], 'smoke')
    expect(errorMessage(run, 1)).toBe(
      "v2 failed its smoke call and was rolled back: v1's code is live again, as v3.\nFix: The new version failed its smoke call and the previous version was restored; fix the processor and deploy again.",
    )
    expect(run.outputs).toMatchObject({
      'rolled-back': 'true',
      'deployed-version': '2',
      'previous-version': '1',
      version: '3',
      'error-code': 'ERR_SMOKE_INVALID_RESPONSE',
    })
    expect(run.summary).toContain("v1 → v2 failed → rolled back, v1's code live as v3")
    expect(run.summary).toMatch(/\| rollback \| ✅ passed \|/)
    expect(world.versions().map((v) => v.version)).toEqual([1, 2, 3])
  })

  test('a failed smoke call shows the tail of the app logs', async () => {
    const world = new World()
    world.emulator.createSecret('dev', 'LITELLM_API_BASE', { LITELLM_API_BASE: 'http://127.0.0.1:9/v1' })
    const run = await world.run({ mode: 'real', 'rollback-on-failure': 'false' })
    expectFailure(run, ['ERR_SMOKE_FAILED'], 'smoke')
    // That call's own logs (modal app logs --function-call), not the app's last lines.
    const [call] = world.emulator.functionCalls()
    expect(errorMessage(run)).toContain(`--- modal app logs llm-litellm-v1 --function-call ${call.function_call_id} ---`)
  })
})

describe('dry run', () => {
  test('checks everything, prints the plan, changes nothing', async () => {
    const world = await worldWithLiveVersion()
    const run = await world.run({ 'dry-run': 'true' }, { GITHUB_RUN_ID: '2005' })
    expect(run.exitCode).toBe(0)
    expect(run.logLines.join('\n')).toContain('Dry run: the checks passed; a real run would:')
    expect(run.logLines.join('\n')).toContain('replacing the live version v1')
    expect(run.summary).toContain('🧪 Dry run for llm/litellm@1 on Modal `dev`: checks passed, nothing changed')
    expect(run.outputs).toMatchObject({ 'smoke-status': 'not-run', 'previous-version': '1', version: '' })
    expect(world.versions()).toHaveLength(1)
  })
})

describe('GitHub Deployments', () => {
  test('the rollout is recorded over the REST API: in_progress, then success with the dashboard URL', async () => {
    const api = await startFakeGitHubApi()
    try {
      const world = new World()
      const run = await world.run({}, { GITHUB_API_URL: api.url }, { githubToken: 'ghs_token-planted-for-tests' })
      expect(run.exitCode).toBe(0)
      const calls = api.requests.map((r) => `${r.method} ${r.path} ${(r.body as { state?: string }).state ?? ''}`.trim())
      expect(calls).toEqual([
        'POST /repos/acme/processors/deployments',
        'POST /repos/acme/processors/deployments/1001/statuses in_progress',
        'POST /repos/acme/processors/deployments/1001/statuses success',
      ])
      expect(api.requests[0].body).toMatchObject({ ref: '3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3', environment: 'modal-dev' })
      expect(api.requests[2].body).toMatchObject({ environment_url: 'https://modal.com/apps/acme/dev/deployed/llm-litellm-v1' })
      expect(api.requests[0].headers.authorization).toBe('token ghs_token-planted-for-tests')
    } finally {
      await api.close()
    }
  })
})

describe('timeouts and cancellation', () => {
  test('a preflight that hangs is stopped at preflight-timeout, and nothing is deployed', async () => {
    const world = new World()
    world.emulator.addFault('sdk:environment', 'hang')
    const run = await world.run({ 'preflight-timeout': '3' })
    expectFailure(run, ['ERR_PREFLIGHT_TIMEOUT'], 'preflight')
    expect(errorMessage(run)).toContain('The preflight checks were stopped after 3s (preflight-timeout).')
    expect(await world.clientProcessesLeftRunning()).toEqual([])
    expect(world.versions()).toEqual([])
  })

  test('a smoke call past smoke-timeout is cancelled on Modal, and the same Modal session rolls back', async () => {
    const world = await worldWithLiveVersion()
    world.emulator.addFault('sdk:function.remote', 'hang', { times: 1 })
    const loadsBefore = world.clientLoads()
    const run = await world.run({ 'smoke-timeout': '3' }, { GITHUB_RUN_ID: '2006' })
    expectFailure(run, ['ERR_SMOKE_TIMEOUT', 'ERR_ROLLED_BACK'], 'smoke')
    expect(run.summary).not.toContain('### Notes')
    expect(world.clientLoads() - loadsBefore).toBe(1)
    expect(world.emulator.functionCalls().at(-1)).toMatchObject({ status: 'cancelled', container: 'terminated' })
    expect(world.versions().map((v) => v.version)).toEqual([1, 2, 3])
    expect(await world.clientProcessesLeftRunning()).toEqual([])
  })

  test.each([
    ['preflight', 'sdk:environment', 'Preflight'],
    ['smoke', 'sdk:function.remote', 'Calling llm-litellm-v1.run'],
  ])('a job cancelled during the %s stops the session and still reports what happened', async (phase, target, marker) => {
    const world = new World()
    world.emulator.addFault(target, 'hang')
    const run = await world.run({}, {}, { cancelWhenStdoutIncludes: marker })
    expectFailure(run, ['ERR_CANCELLED'], phase)
    expect(run.outputs['app-name']).toBe('llm-litellm-v1')
    expect(await world.clientProcessesLeftRunning()).toEqual([])
  })

  test('a cancelled job stops the running deploy and still reports what happened', async () => {
    const world = new World()
    world.emulator.addFault('deploy', 'hang')
    const run = await world.run({}, {}, { cancelWhenStdoutIncludes: 'Running: modal deploy' })
    expectFailure(run, ['ERR_CANCELLED'], 'deploy')
    expect(run.outputs['app-name']).toBe('llm-litellm-v1')
    expect(await world.clientProcessesLeftRunning()).toEqual([])
    expect(world.versions()).toEqual([])
  })
})
