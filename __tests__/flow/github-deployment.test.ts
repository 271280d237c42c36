import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { deploymentRecorder, planDeployment, type DeploymentPlan, type DeploymentSettings } from '../../src/flow/github-deployment.js'
import { githubError, startFakeGitHubApi, type FakeGitHubApi } from '../support/fake-github-api.js'

const TOKEN = 'ghs_fakeTokenForTests'
const SHA = '3f786850e387550fdab836ed7e6dc881de23001b'
const LOG_URL = `https://github.com/acme/processors/actions/runs/4242/attempts/2`
const DASHBOARD = 'https://modal.com/apps/acme/dev/deployed/llm-litellm-v1'
const settings: DeploymentSettings = { token: TOKEN, modalEnvironment: 'dev', description: 'llm/litellm@1 → llm-litellm-v1' }

function runnerEnv(apiUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    GITHUB_API_URL: apiUrl,
    GITHUB_REPOSITORY: 'acme/processors',
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_EVENT_NAME: 'push',
    ...extra,
  }
}

function planFor(apiUrl: string, overrides: Partial<DeploymentSettings> = {}): DeploymentPlan {
  const plan = planDeployment({ ...settings, ...overrides }, runnerEnv(apiUrl))
  if (plan.skipped) throw new Error(`unexpected skip: ${plan.reason}`)
  return plan
}

let api: FakeGitHubApi
let warnings: string[]
const warn = (message: string) => void warnings.push(message)

beforeEach(async () => {
  api = await startFakeGitHubApi()
  warnings = []
})

afterEach(async () => {
  await api.close()
  for (const warning of warnings) expect(warning).not.toContain(TOKEN)
})

/** What GitHub was asked, without the noise of headers. */
const calls = () => api.requests.map(({ method, path, body }) => ({ method, path, body }))

describe('planDeployment', () => {
  let eventDir: string
  beforeAll(() => {
    eventDir = mkdtempSync(path.join(tmpdir(), 'github-event-'))
  })
  afterAll(() => rmSync(eventDir, { recursive: true, force: true }))

  function pullRequestEvent(headRepo: string | null): string {
    const file = path.join(eventDir, `event-${(headRepo ?? 'deleted').replace('/', '-')}.json`)
    const repo = (fullName: string | null) => (fullName === null ? null : { full_name: fullName })
    writeFileSync(file, JSON.stringify({ pull_request: { head: { repo: repo(headRepo) }, base: { repo: repo('acme/processors') } } }))
    return file
  }

  test('in GitHub Actions, plans a deployment of the exact commit for modal-<environment>', () => {
    expect(planDeployment(settings, runnerEnv(api.url))).toEqual({
      skipped: false,
      apiUrl: api.url,
      owner: 'acme',
      repo: 'processors',
      ref: SHA,
      environment: 'modal-dev',
      transient: false,
      logUrl: LOG_URL,
      description: 'llm/litellm@1 → llm-litellm-v1',
      token: TOKEN,
    })
  })

  test("a pull request's preview records the transient environment modal-<environment>-pr<N>", () => {
    expect(planDeployment({ ...settings, pullRequest: 42 }, runnerEnv(api.url))).toMatchObject({
      skipped: false,
      environment: 'modal-dev-pr42',
      transient: true,
    })
  })

  test("a preview records the pull request's head commit; without one (the CLI's --preview N), GITHUB_SHA", () => {
    const head = '1111111111111111111111111111111111111111'
    expect(planDeployment({ ...settings, pullRequest: 42, headSha: head }, runnerEnv(api.url))).toMatchObject({ ref: head })
    expect(planDeployment({ ...settings, pullRequest: 42, headSha: null }, runnerEnv(api.url))).toMatchObject({ ref: SHA })
    // A live deploy is of the commit the run checked out, whatever is passed.
    expect(planDeployment({ ...settings, headSha: head }, runnerEnv(api.url))).toMatchObject({ ref: SHA })
  })

  test('without a token, skips', () => {
    expect(planDeployment({ ...settings, token: '' }, runnerEnv(api.url))).toEqual({ skipped: true, reason: 'no github-token was given' })
  })

  test('outside GitHub Actions, skips', () => {
    const plan = planDeployment(settings, runnerEnv(api.url, { GITHUB_REPOSITORY: undefined }))
    expect(plan).toEqual({ skipped: true, reason: expect.stringContaining('not running in GitHub Actions') })
  })

  test.each(['pull_request', 'pull_request_target'])('a %s from a fork is skipped without any request', (event) => {
    const env = runnerEnv(api.url, { GITHUB_EVENT_NAME: event, GITHUB_EVENT_PATH: pullRequestEvent('someone/processors') })
    expect(planDeployment(settings, env)).toEqual({ skipped: true, reason: `the ${event} comes from the fork someone/processors` })
    expect(api.requests).toEqual([])
  })

  test('a pull request whose fork was deleted counts as a fork', () => {
    const env = runnerEnv(api.url, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: pullRequestEvent(null) })
    expect(planDeployment(settings, env)).toMatchObject({ skipped: true, reason: expect.stringContaining('a deleted repository') })
  })

  test('a pull request from a branch of the same repository records', () => {
    const env = runnerEnv(api.url, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: pullRequestEvent('acme/processors') })
    expect(planDeployment(settings, env)).toMatchObject({ skipped: false, environment: 'modal-dev' })
  })

  test('a pull request whose event payload cannot be read is skipped, since a fork cannot be ruled out', () => {
    const env = runnerEnv(api.url, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path.join(eventDir, 'missing.json') })
    expect(planDeployment(settings, env)).toMatchObject({ skipped: true, reason: expect.stringContaining('rule out a fork') })
  })
})

describe('deploymentRecorder over HTTP', () => {
  const deploymentBody = {
    ref: SHA,
    environment: 'modal-dev',
    description: 'llm/litellm@1 → llm-litellm-v1',
    payload: { processor: 'llm/litellm@1 → llm-litellm-v1' },
    auto_merge: false,
    required_contexts: [],
    transient_environment: false,
    production_environment: false,
  }
  const inProgress = {
    method: 'POST',
    path: '/repos/acme/processors/deployments/1001/statuses',
    body: { state: 'in_progress', description: 'llm/litellm@1 → llm-litellm-v1', log_url: LOG_URL, auto_inactive: false },
  }

  test('success: creates the deployment, then in_progress, then success with the dashboard and the run', async () => {
    const recorder = deploymentRecorder(planFor(api.url), warn)
    await expect(recorder.start()).resolves.toBe(true)
    await recorder.finish('success', DASHBOARD, 'Deployed llm-litellm-v1 v7')

    expect(calls()).toEqual([
      { method: 'POST', path: '/repos/acme/processors/deployments', body: deploymentBody },
      inProgress,
      {
        method: 'POST',
        path: '/repos/acme/processors/deployments/1001/statuses',
        body: {
          state: 'success',
          description: 'Deployed llm-litellm-v1 v7',
          log_url: LOG_URL,
          environment_url: DASHBOARD,
          auto_inactive: true,
        },
      },
    ])
    expect(warnings).toEqual([])
  })

  test('every request carries the token and the REST media type', async () => {
    const recorder = deploymentRecorder(planFor(api.url), warn)
    await recorder.start()
    await recorder.finish('success', DASHBOARD, 'Deployed')

    expect(api.requests).toHaveLength(3)
    for (const { headers } of api.requests) {
      expect(headers.authorization).toBe(`token ${TOKEN}`)
      expect(headers.accept).toBe('application/vnd.github+json')
      expect(headers['x-github-api-version']).toBe('2022-11-28')
    }
  })

  test('failure: sets failure without an environment URL when the dashboard is unknown', async () => {
    const recorder = deploymentRecorder(planFor(api.url), warn)
    await recorder.start()
    await recorder.finish('failure', null, 'Smoke call failed')

    expect(calls().at(-1)).toEqual({
      method: 'POST',
      path: '/repos/acme/processors/deployments/1001/statuses',
      body: { state: 'failure', description: 'Smoke call failed', log_url: LOG_URL, auto_inactive: false },
    })
    expect(warnings).toEqual([])
  })

  test('rollback: failure, then inactive for the version the rollback replaced', async () => {
    const recorder = deploymentRecorder(planFor(api.url), warn)
    await recorder.start()
    await recorder.finish('failure', DASHBOARD, 'Smoke call failed; rolled back to v6')
    await recorder.markInactive('Replaced by the rollback to v6')

    expect(calls().map(({ body }) => (body as { state?: string }).state)).toEqual([undefined, 'in_progress', 'failure', 'inactive'])
    expect(calls().at(-1)).toEqual({
      method: 'POST',
      path: '/repos/acme/processors/deployments/1001/statuses',
      body: { state: 'inactive', description: 'Replaced by the rollback to v6', log_url: LOG_URL, auto_inactive: false },
    })
  })

  test('the Modal environment main is the production environment', async () => {
    await deploymentRecorder(planFor(api.url, { modalEnvironment: 'main' }), warn).start()
    expect(api.requests[0].body).toMatchObject({ environment: 'modal-main', production_environment: true })
  })

  test('descriptions are cut to the 140 characters GitHub accepts', async () => {
    const recorder = deploymentRecorder(planFor(api.url), warn)
    await recorder.start()
    await recorder.finish('failure', null, 'x'.repeat(300))
    const description = (api.requests.at(-1)?.body as { description: string }).description
    expect([...description]).toHaveLength(140)
    expect(description.endsWith('…')).toBe(true)
  })

  test('403 on create: one warning about the missing permission, and no status calls', async () => {
    api.override((request) =>
      request.path.endsWith('/deployments') ? githubError(403, 'Resource not accessible by integration') : undefined,
    )
    const recorder = deploymentRecorder(planFor(api.url), warn)

    await expect(recorder.start()).resolves.toBe(false)
    await recorder.finish('success', DASHBOARD, 'Deployed')
    await recorder.markInactive('Replaced')

    expect(api.requests).toHaveLength(1)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('skipped: the token lacks deployments: write')
    expect(warnings[0]).toContain('HTTP 403: Resource not accessible by integration')
  })

  test('500 on a status call: a warning, and the recorder never throws', async () => {
    api.override((request) => ((request.body as { state?: string }).state === 'success' ? githubError(500, 'Server Error') : undefined))
    const recorder = deploymentRecorder(planFor(api.url), warn)
    await recorder.start()

    await expect(recorder.finish('success', DASHBOARD, 'Deployed')).resolves.toBeUndefined()
    expect(warnings).toEqual([expect.stringContaining('setting deployment 1001 to success failed (HTTP 500: Server Error')])
  })

  test('a server that never answers is bounded by the timeout, and later calls send nothing', async () => {
    api.override(() => 'no answer')
    const recorder = deploymentRecorder(planFor(api.url), warn, 200)

    const started = Date.now()
    await expect(recorder.start()).resolves.toBe(false)
    // Bounded by the 200 ms timeout rather than by the server (which never answers), with room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(20000)
    await recorder.finish('success', DASHBOARD, 'Deployed')

    expect(api.requests).toHaveLength(1)
    expect(warnings).toEqual([expect.stringContaining('creating the deployment for modal-dev failed (no answer within 200 ms)')])
  })

  test('an unreachable API is a warning, not an error, and not mistaken for an HTTP 500', async () => {
    const plan = planFor(api.url)
    await api.close()

    await expect(deploymentRecorder(plan, warn).start()).resolves.toBe(false)
    expect(warnings).toHaveLength(1)
    // Octokit reports network errors as status 500; the warning must show the network error instead.
    expect(warnings[0]).toMatch(/^GitHub Deployment: creating the deployment for modal-dev failed \((?!HTTP)/)
  })
})
