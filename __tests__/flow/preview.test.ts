// Pull request previews, in process: runAction with a recording toolkit, a scripted Modal session and a GitHub REST API
// on loopback that stores comments and deployments (Octokit speaks real HTTP to it).
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { runAction } from '../../src/flow/run-action.js'
import { githubError, startFakeGitHubApi, type FakeGitHubApi } from '../support/fake-github-api.js'
import { FakeModal } from '../support/fake-modal.js'
import { errorTitles, recordingToolkit } from '../support/recording-toolkit.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`
const BASE = {
  'processor-ref': 'llm/litellm@1',
  'image-ref': IMAGE,
  'modal-environment': 'dev',
  'tool-secrets': 'OPENAI_API_KEY',
  'github-token': 'ghs_previewTokenForTests',
  preview: 'true',
}
const HEAD_1 = '1111111111111111111111111111111111111111'
const HEAD_2 = '2222222222222222222222222222222222222222'
const MARKER = '<!-- modal-processor-deploy:preview ref=llm/litellm@1 env=dev -->'

let api: FakeGitHubApi
let dir: string

beforeEach(async () => {
  api = await startFakeGitHubApi()
  dir = scratchDir('preview-event-')
})
afterEach(() => api.close())

function event(action: string, head = HEAD_1, headRepo: string | null = 'acme/processors', number = 42): string {
  const file = path.join(dir, `event-${action}-${Math.random()}.json`)
  const repo = (fullName: string | null) => (fullName === null ? null : { full_name: fullName })
  writeFileSync(
    file,
    JSON.stringify({
      action,
      number,
      pull_request: { number, head: { sha: head, repo: repo(headRepo) }, base: { repo: repo('acme/processors') } },
    }),
  )
  return file
}

function runnerEnv(eventPath: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'acme/processors',
    GITHUB_API_URL: api.url,
    GITHUB_SERVER_URL: 'https://github.com',
    MODAL_TOKEN_ID: 'ak-previewtokenid',
    MODAL_TOKEN_SECRET: 'as-previewtokensecret',
    ...extra,
  }
}

async function run(modal: FakeModal, env: NodeJS.ProcessEnv, inputs: Record<string, string> = {}) {
  const kit = recordingToolkit({ ...BASE, ...inputs }, env)
  const report = await runAction(kit, { connect: modal.connect })
  return { ...kit.record, report, errors: errorTitles(kit.record) }
}

/** A live app with two versions, which no preview may touch. */
function withLiveApp(): FakeModal {
  return new FakeModal().deployed('llm-litellm-v1', 'live-1', 'live-2')
}

describe('a pull request opened, pushed to, closed', () => {
  test('opened deploys <app>-pr<N>, smoke-tests it, writes one comment; the live app is untouched', async () => {
    const modal = withLiveApp()
    const result = await run(modal, runnerEnv(event('opened')))
    expect(result.errors).toEqual([])
    expect(result.failed).toBe(false)
    const deploy = modal.requests.find((r) => r.label === 'modal deploy')!
    expect(deploy.args.env).toMatchObject({ MODAL_APP_NAME: 'llm-litellm-v1-pr42' })
    expect(modal.requests.find((r) => r.label === 'call')!.args).toMatchObject({ app: 'llm-litellm-v1-pr42', version: 1 })
    expect(modal.versions('llm-litellm-v1')).toEqual([1, 2])
    expect(modal.versions('llm-litellm-v1-pr42')).toEqual([1])
    expect(result.outputs).toMatchObject({ 'app-name': 'llm-litellm-v1-pr42', 'smoke-status': 'passed', version: '1' })
    expect(result.summary).toContain('preview `llm-litellm-v1-pr42` of pull request #42 deployed and smoke-tested')
    expect(api.comments).toHaveLength(1)
    const body = api.comments[0].body
    expect(body.split('\n')[0]).toBe(MARKER)
    expect(body).toContain('Preview deployed and smoke-tested')
    expect(body).toContain(HEAD_1)
    expect(body).toContain('[Modal dashboard](https://modal.com/apps/acme/dev/deployed/llm-litellm-v1-pr42)')
    expect(api.comments[0].issue).toBe(42)
    expect(api.deployments).toEqual([
      { id: expect.any(Number), environment: 'modal-dev-pr42', transient: true, states: ['in_progress', 'success'] },
    ])
  })

  test("the preview's GitHub Deployment is of the pull request's head commit, not GITHUB_SHA's merge commit", async () => {
    const merge = '9999999999999999999999999999999999999999'
    const result = await run(withLiveApp(), runnerEnv(event('opened'), { GITHUB_SHA: merge }))
    expect(result.errors).toEqual([])
    const created = api.requests.filter((r) => r.method === 'POST' && /\/deployments$/.test(r.path))
    expect(created.map((r) => (r.body as { ref: string }).ref)).toEqual([HEAD_1])
    expect(api.comments[0].body).toContain(HEAD_1)
    expect(api.comments[0].body).not.toContain(merge)
  })

  test('synchronize edits the same comment; closed stops the app, marks the deployment inactive and edits it again', async () => {
    const modal = withLiveApp()
    await run(modal, runnerEnv(event('opened')))
    const id = api.comments[0].id
    const pushed = await run(modal, runnerEnv(event('synchronize', HEAD_2)), {})
    expect(pushed.errors).toEqual([])
    expect(api.comments).toHaveLength(1)
    expect(api.comments[0].id).toBe(id)
    expect(api.comments[0].body).toContain(HEAD_2)
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1)

    const requestsBefore = modal.requests.length
    const closed = await run(modal, runnerEnv(event('closed', HEAD_2)))
    expect(closed.errors).toEqual([])
    expect(closed.failed).toBe(false)
    const asked = modal.requests.slice(requestsBefore)
    expect(asked.map((r) => r.args.args)).toEqual([['app', 'stop', 'llm-litellm-v1-pr42', '--env', 'dev', '--yes']])
    expect(modal.stopped).toEqual(new Set(['llm-litellm-v1-pr42']))
    expect(modal.versions('llm-litellm-v1')).toEqual([1, 2])
    expect(api.comments).toHaveLength(1)
    expect(api.comments[0].body).toContain('Preview removed')
    expect(api.comments[0].body).toContain('pull request #42 was closed')
    expect(api.deployments.every((d) => d.states.at(-1) === 'inactive')).toBe(true)
    expect(closed.summary).toContain('Preview `llm-litellm-v1-pr42` of pull request #42 removed')
    expect(closed.logs).toContain('The preview llm-litellm-v1-pr42 of pull request #42 is gone from dev: nothing of it runs.')
    expect(closed.logs.join('\n')).not.toContain('is live')
    expect(closed.report.phases.map((p) => [p.phase, p.status])).toEqual([
      ['inputs', 'passed'],
      ['deploy', 'skipped'],
      ['teardown', 'passed'],
    ])

    // Closed again (a re-run): the app is already stopped, which is fine.
    const again = await run(modal, runnerEnv(event('closed', HEAD_2)))
    expect(again.errors).toEqual([])
    expect(again.report.notes.join('\n')).toContain('nothing to stop')
  })

  test('closing a pull request whose preview was never deployed is fine, and writes no comment', async () => {
    const modal = new FakeModal()
    const result = await run(modal, runnerEnv(event('closed')))
    expect(result.errors).toEqual([])
    expect(result.report.notes.join('\n')).toContain('never deployed')
    expect(api.comments).toEqual([])
  })

  test('a stop Modal refuses fails the step with ERR_PREVIEW_TEARDOWN_FAILED', async () => {
    const modal = new FakeModal()
    await run(modal, runnerEnv(event('opened')))
    modal.on('modal app stop', () => ({ ok: true, value: { exit_code: 1, stdout: '', stderr: 'Permission denied for app stop\n' } }))
    const result = await run(modal, runnerEnv(event('closed')))
    expect(result.errors).toEqual(['ERR_PREVIEW_TEARDOWN_FAILED'])
    expect(result.failed).toBe(true)
    expect(api.comments).toHaveLength(1)
    expect(api.comments[0].body).toContain('Preview could not be removed')
    expect(api.comments[0].body).toContain('Permission denied for app stop')
    // The app still runs: its deployment stays as it was.
    expect(api.deployments.map((d) => d.states.at(-1))).toEqual(['success'])
  })
})

describe('runs that deploy nothing', () => {
  test.each([
    ['a fork', runnerEnvFork, 'comes from the fork someone/processors'],
    ['a run without a Modal token', runnerEnvNoToken, 'no Modal token'],
  ])('%s: exit 0, a notice, smoke-status skipped, no Modal request at all', async (_, envOf, reason) => {
    const modal = new FakeModal()
    const result = await run(modal, envOf())
    expect(result.errors).toEqual([])
    expect(result.failed).toBe(false)
    expect(modal.sessionsStarted).toBe(0)
    expect(modal.requests).toEqual([])
    expect(result.outputs['smoke-status']).toBe('skipped')
    const notice = result.annotations.find((a) => a.level === 'notice')!
    expect(notice.title).toBe('Preview skipped')
    expect(notice.message).toContain(reason)
    expect(notice.message).toContain('forks receive no secrets')
    expect(api.requests).toEqual([])
    expect(result.logs).toContain('No preview of llm/litellm@1 for pull request #42: nothing was deployed and Modal was not called.')
  })

  test('preview: true on a push is ERR_PREVIEW_EVENT naming the event, before anything runs', async () => {
    const modal = new FakeModal()
    const result = await run(modal, runnerEnv(event('opened'), { GITHUB_EVENT_NAME: 'push' }))
    expect(result.errors).toEqual(['ERR_PREVIEW_EVENT'])
    expect(result.annotations.find((a) => a.level === 'error')!.message).toContain("'push' event")
    expect(modal.requests).toEqual([])
  })

  test('preview: a pull request number (the CLI) deploys that preview without an event', async () => {
    const modal = withLiveApp()
    const result = await run(modal, { GITHUB_API_URL: api.url }, { preview: '7', 'github-token': '' })
    expect(result.errors).toEqual([])
    expect(result.outputs['app-name']).toBe('llm-litellm-v1-pr7')
    expect(modal.versions('llm-litellm-v1')).toEqual([1, 2])
  })

  test('preview: an invalid value is refused', async () => {
    const result = await run(new FakeModal(), {}, { preview: 'yes' })
    expect(result.errors).toEqual(['ERR_INVALID_INPUT'])
  })
})

describe('the comment is best effort', () => {
  test('a 403 on comments is a warning naming pull-requests: write; the step passes on its deploy and smoke call', async () => {
    api.override((request) => (request.path.includes('/comments') ? githubError(403, 'Resource not accessible by integration') : undefined))
    const result = await run(withLiveApp(), runnerEnv(event('opened')))
    expect(result.errors).toEqual([])
    expect(result.failed).toBe(false)
    const warning = result.annotations.find((a) => a.level === 'warning' && a.title === 'Preview comment')!
    expect(warning.message).toContain('pull-requests: write')
    expect(warning.message).not.toContain('ghs_previewTokenForTests')
  })

  test("a user's comment carrying the marker is never edited: the preview creates its own, then edits only that", async () => {
    api.comments.push({ id: 7, issue: 42, body: `${MARKER}\nplanted`, user: { login: 'mallory', type: 'User' } })
    const modal = withLiveApp()
    const first = await run(modal, runnerEnv(event('opened')))
    expect(first.annotations.filter((a) => a.level === 'warning')).toEqual([])
    expect(api.comments.map((c) => c.user.login)).toEqual(['mallory', 'github-actions[bot]'])
    await run(modal, runnerEnv(event('synchronize', HEAD_2)))
    expect(api.comments).toHaveLength(2)
    expect(api.comments[0].body).toBe(`${MARKER}\nplanted`)
    expect(api.comments[1].body).toContain(HEAD_2)
    const patched = api.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)
    expect(patched).toEqual([`/repos/acme/processors/issues/comments/${api.comments[1].id}`])
    // The job's token may not read GET /user (403): then only a bot's comment is ours.
    expect(api.requests.filter((r) => r.path === '/user')).toHaveLength(2)
  })

  test('with a personal access token, only its own login’s comment is ours: not a bot’s, not another user’s', async () => {
    api.tokenUser = { login: 'Release-Robot', type: 'User' }
    api.comments.push(
      { id: 7, issue: 42, body: `${MARKER}\nplanted`, user: { login: 'mallory', type: 'User' } },
      { id: 8, issue: 42, body: `${MARKER}\nof the job token`, user: { login: 'github-actions[bot]', type: 'Bot' } },
      { id: 9, issue: 42, body: `${MARKER}\nours`, user: { login: 'release-robot', type: 'User' } },
    )
    const result = await run(withLiveApp(), runnerEnv(event('opened')))
    expect(result.annotations.filter((a) => a.level === 'warning')).toEqual([])
    expect(api.comments).toHaveLength(3)
    expect(api.comments.map((c) => c.body.split('\n')[1])).toEqual(['planted', 'of the job token', expect.stringContaining('Preview')])
    expect(api.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual(['/repos/acme/processors/issues/comments/9'])
  })

  test('with a personal access token and no comment of its own, one is created; a bot’s marker comment is left alone', async () => {
    api.tokenUser = { login: 'release-robot', type: 'User' }
    api.comments.push({ id: 8, issue: 42, body: `${MARKER}\nother`, user: { login: 'other-app[bot]', type: 'Bot' } })
    await run(withLiveApp(), runnerEnv(event('opened')))
    expect(api.comments.map((c) => c.user.login)).toEqual(['other-app[bot]', 'release-robot'])
    expect(api.comments[0].body).toBe(`${MARKER}\nother`)
    expect(api.requests.filter((r) => r.method === 'PATCH')).toEqual([])
  })

  test('a secret and Markdown in what the comment quotes are redacted and escaped', async () => {
    const modal = new FakeModal()
    const secret = 'sk-verysecretvalue-123'
    modal.on('call', () => ({
      ok: false,
      raised: {
        type: 'RemoteError',
        chain: ['modal.exception.RemoteError'],
        message: `boom ${secret} <img src=x> [x](javascript:1)`,
        stage: 'call',
      },
    }))
    const result = await run(modal, { ...runnerEnv(event('opened')), OPENAI_API_KEY: secret })
    expect(result.errors.length).toBeGreaterThan(0)
    const body = api.comments[0].body
    expect(body).not.toContain(secret)
    expect(body).not.toContain('<img')
    // Escaped, so no link: the brackets are text.
    expect(body).toContain('\\[x\\](javascript:1)')
  })
})

function runnerEnvFork(): NodeJS.ProcessEnv {
  return runnerEnv(event('opened', HEAD_1, 'someone/processors'))
}

function runnerEnvNoToken(): NodeJS.ProcessEnv {
  return runnerEnv(event('opened'), { MODAL_TOKEN_ID: undefined, MODAL_TOKEN_SECRET: undefined })
}
