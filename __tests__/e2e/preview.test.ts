// A pull request's preview end to end: the bundled action as the runner runs it, the local Modal emulator, and GitHub's
// API on loopback storing the comment and the deployments. Opened → deployed beside the live app; closed → stopped.
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { startFakeGitHubApi, type FakeGitHubApi } from '../support/fake-github-api.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { ACTION_DIR } from './action-under-test.js'
import { errorTitles, REPO_ROOT, World } from './world.js'

/** The bundled CLI, in the repository root (its catalogue holds llm/litellm@1). */
function prune(args: string[], env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [`${ACTION_DIR}/dist/cli.cjs`, 'prune', ...args],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code) : 0, stdout, stderr }),
    )
  })
}

const TOKEN = 'ghs_token-planted-for-preview-tests'

function event(action: string, headRepo = 'acme/processors', number = 42): string {
  const file = path.join(scratchDir('preview-event-'), 'event.json')
  const pullRequest = {
    number,
    head: { sha: 'c'.repeat(40), repo: { full_name: headRepo } },
    base: { repo: { full_name: 'acme/processors' } },
  }
  writeFileSync(file, JSON.stringify({ action, number, pull_request: pullRequest }))
  return file
}

describe('a pull request preview with the emulator', () => {
  const world = new World()
  let api: FakeGitHubApi

  beforeAll(async () => {
    api = await startFakeGitHubApi()
  })
  afterAll(() => api.close())

  const runFor = (eventPath: string, env: Record<string, string | undefined> = {}) =>
    world.run(
      { preview: 'true' },
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_API_URL: api.url, ...env },
      { githubToken: TOKEN },
    )

  test('opened: <app>-pr42 deployed and smoke-tested, the live app untouched, one comment; closed: stopped', async () => {
    await world.run() // the live app, v1
    const opened = await runFor(event('opened'))
    expect(errorTitles(opened)).toEqual([])
    expect(opened.exitCode).toBe(0)
    expect(opened.outputs).toMatchObject({ 'app-name': 'llm-litellm-v1-pr42', 'smoke-status': 'passed', version: '1' })
    expect(world.versions('llm-litellm-v1')).toHaveLength(1)
    expect(world.versions('llm-litellm-v1-pr42')).toHaveLength(1)
    expect(api.comments).toHaveLength(1)
    expect(api.comments[0].body).toContain('Preview deployed and smoke-tested')

    const closed = await runFor(event('closed'))
    expect(errorTitles(closed)).toEqual([])
    expect(closed.exitCode).toBe(0)
    const apps = world.emulator.state().apps as { name: string; environment: string; state: string }[]
    expect(apps.find((a) => a.name === 'llm-litellm-v1-pr42')?.state).toBe('stopped')
    expect(apps.find((a) => a.name === 'llm-litellm-v1')?.state).toBe('deployed')
    expect(api.comments).toHaveLength(1)
    expect(api.comments[0].body).toContain('Preview removed')
  })

  test('closed again (already stopped) and closed without a preview (never deployed) both pass', async () => {
    for (const number of [42, 99]) {
      const run = await runFor(event('closed', 'acme/processors', number))
      expect(errorTitles(run)).toEqual([])
      expect(run.exitCode).toBe(0)
    }
  })

  test("a fork's pull request: exit 0, a notice, no deploy", async () => {
    const loads = world.clientLoads()
    const run = await runFor(event('opened', 'someone/processors'), { MODAL_TOKEN_ID: undefined, MODAL_TOKEN_SECRET: undefined })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['smoke-status']).toBe('skipped')
    expect(run.stdout).toContain('::notice title=Preview skipped::')
    // The session the entry point starts early is ended without a request.
    expect(world.clientLoads() - loads).toBeLessThanOrEqual(1)
  })

  test('prune lists the preview of a pull request no longer open, and stops it only with --yes', async () => {
    expect((await runFor(event('opened', 'acme/processors', 43))).exitCode).toBe(0)
    api.openPulls.push(44)
    const env = { ...world.emulator.env, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/processors', GITHUB_API_URL: api.url }
    const listed = await prune(['--env', 'dev'], env)
    expect(listed.stderr).toBe('')
    expect(listed.status).toBe(0)
    expect(listed.stdout).toMatch(/llm-litellm-v1-pr43\s+preview\s+deployed\s+listed\s+pull request #43 is no longer open/)
    expect(listed.stdout).toMatch(/llm-litellm-v1\s+live\s+deployed\s+kept/)
    const running = () =>
      (world.emulator.state().apps as { name: string; state: string }[]).filter((a) => a.state !== 'stopped').map((a) => a.name)
    expect(running()).toContain('llm-litellm-v1-pr43')
    const stopped = await prune(['--env', 'dev', '--yes', '--json'], env)
    expect(stopped.status).toBe(0)
    expect(JSON.parse(stopped.stdout).apps).toEqual(
      expect.arrayContaining([expect.objectContaining({ app: 'llm-litellm-v1-pr43', result: 'stopped' })]),
    )
    expect(running()).toContain('llm-litellm-v1')
    expect(running()).not.toContain('llm-litellm-v1-pr43')
    expect(stopped.stdout + stopped.stderr).not.toContain(TOKEN)
  })
})
