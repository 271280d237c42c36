// `modal-processor prune`, in process: a scripted Modal session holding apps, GitHub's API on loopback listing the
// open pull requests, and a git repository whose catalogue once had a processor it no longer has.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { runCli } from '../support/cli-in-process.js'
import { startFakeGitHubApi, githubError, type FakeGitHubApi } from '../support/fake-github-api.js'
import { cli, FakeModal } from '../support/fake-modal.js'
import { CONTROL } from '../support/hostile-samples.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`
let api: FakeGitHubApi
let dir: string

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    stdio: 'pipe',
  })
}

function writeCatalogue(folder: string, refs: string[]): void {
  const processors = Object.fromEntries(refs.map((ref) => [ref, { image: { oci: IMAGE } }]))
  writeFileSync(path.join(folder, 'modal-processors.json'), JSON.stringify({ processors }))
}

/** A repository whose catalogue had ocr/tesseract@2 and no longer has it. */
beforeEach(async () => {
  api = await startFakeGitHubApi()
  dir = scratchDir('prune-')
  git(dir, 'init', '-q')
  writeCatalogue(dir, ['llm/litellm@1', 'ocr/tesseract@2'])
  git(dir, 'add', 'modal-processors.json')
  git(dir, 'commit', '-q', '-m', 'two processors')
  writeCatalogue(dir, ['llm/litellm@1'])
  git(dir, 'commit', '-q', '-am', 'ocr/tesseract@2 removed')
})
afterEach(() => api.close())

/** live, open PR 5, closed PR 6, a removed processor, its preview in open PR 9, a stopped preview, and other teams'
 * apps in the same environment: processor-shaped names and another repository's preview of its pull request 6. */
const OTHERS = ['billing-api', 'billing-api-v2', 'web-frontend-v1', 'web-frontend-v1-pr6', 'web-frontend-v1-candidate']
function world(): FakeModal {
  const modal = new FakeModal()
  for (const app of [
    'llm-litellm-v1',
    'llm-litellm-v1-pr5',
    'llm-litellm-v1-pr6',
    'ocr-tesseract-v2',
    'ocr-tesseract-v2-pr9',
    ...OTHERS,
    'llm-litellm-v1-pr7',
  ]) {
    modal.deployed(app, 't')
  }
  modal.stopped.add('llm-litellm-v1-pr7')
  return modal
}

function env(): NodeJS.ProcessEnv {
  return { GITHUB_TOKEN: 'ghs_pruneTokenForTests', GITHUB_REPOSITORY: 'acme/processors', GITHUB_API_URL: api.url }
}

interface PruneJson {
  ok: boolean
  stopped: boolean
  apps: { app: string; result: string; action: string }[]
  history: { available: boolean; versions: number; complete: boolean; note: string | null }
}

const stops = (modal: FakeModal) => modal.requests.filter((r) => r.label === 'modal app stop').map((r) => (r.args.args as string[])[2])

describe('modal-processor prune', () => {
  test('without --yes lists what it would stop and stops nothing', async () => {
    api.openPulls.push(5, 9)
    const modal = world()
    const run = await runCli(['prune', '--env', 'dev'], { modal, cwd: dir, env: env() })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(stops(modal)).toEqual([])
    const lines = run.stdout.split('\n')
    const row = (app: string) => lines.find((l) => l.startsWith(`${app} `)) ?? ''
    expect(row('llm-litellm-v1')).toMatch(/live\s+deployed\s+kept/)
    expect(row('llm-litellm-v1-pr5')).toMatch(/preview\s+deployed\s+kept\s+pull request #5 is open/)
    expect(row('llm-litellm-v1-pr6')).toMatch(/preview\s+deployed\s+listed\s+pull request #6 is no longer open/)
    expect(row('ocr-tesseract-v2')).toMatch(/removed\s+deployed\s+listed\s+processor no longer in the catalogue/)
    expect(row('ocr-tesseract-v2-pr9')).toMatch(/kept/)
    for (const other of OTHERS) expect(run.stdout).not.toContain(other)
    expect(run.stdout).not.toContain('llm-litellm-v1-pr7')
    expect(run.stdout).not.toContain('Note:')
    expect(run.stdout).toContain('2 app(s) to stop in dev; run again with --yes')
    const pulls = api.requests.filter((r) => r.path.startsWith('/repos/acme/processors/pulls'))
    expect(pulls).toHaveLength(1)
    expect(pulls[0].path).toContain('state=open')
    expect(pulls[0].headers.authorization).toBe('Bearer ghs_pruneTokenForTests')
  })

  test('with --yes stops exactly the closed PR preview and the removed processor; --json says so', async () => {
    api.openPulls.push(5, 9)
    const modal = world()
    const run = await runCli(['prune', '--env', 'dev', '--yes', '--json'], { modal, cwd: dir, env: env() })
    expect(run.status).toBe(0)
    expect(stops(modal)).toEqual(['llm-litellm-v1-pr6', 'ocr-tesseract-v2'])
    expect(modal.stopped).toEqual(new Set(['llm-litellm-v1-pr6', 'ocr-tesseract-v2', 'llm-litellm-v1-pr7']))
    const json = JSON.parse(run.stdout) as PruneJson
    expect(json.ok).toBe(true)
    expect(json.stopped).toBe(true)
    expect(json.history).toEqual({ available: true, versions: 2, complete: true, note: null })
    expect(json.apps.map((a) => [a.app, a.result])).toEqual([
      ['llm-litellm-v1', 'kept'],
      ['llm-litellm-v1-pr5', 'kept'],
      ['llm-litellm-v1-pr6', 'stopped'],
      ['ocr-tesseract-v2', 'stopped'],
      ['ocr-tesseract-v2-pr9', 'kept'],
    ])
  })

  test('a shallow checkout: removed processors are not considered, and the note says to fetch the whole history', async () => {
    const shallow = scratchDir('prune-shallow-')
    git(shallow, 'clone', '-q', '--depth', '1', `file://${dir}`, 'repo')
    api.openPulls.push(5, 9)
    const modal = world()
    const run = await runCli(['prune', '--env', 'dev', '--yes', '--json'], { modal, cwd: path.join(shallow, 'repo'), env: env() })
    expect(run.status).toBe(0)
    expect(stops(modal)).toEqual(['llm-litellm-v1-pr6'])
    const json = JSON.parse(run.stdout) as PruneJson
    expect(json.apps.map((a) => a.app)).toEqual(['llm-litellm-v1', 'llm-litellm-v1-pr5', 'llm-litellm-v1-pr6'])
    expect(json.history).toMatchObject({ available: false, versions: 0, complete: false })
    expect(json.history.note).toContain('the checkout is shallow')
    expect(json.history.note).toContain('fetch-depth: 0')

    const table = await runCli(['prune', '--env', 'dev'], { modal: world(), cwd: path.join(shallow, 'repo'), env: env() })
    expect(table.stdout).toMatch(/^Note: Processors removed from the catalogue were not considered: the checkout is shallow/m)
    expect(table.stdout).not.toContain('ocr-tesseract-v2')
  })

  test('a catalogue outside any git repository: only the current catalogue counts, and the note says why', async () => {
    const plain = scratchDir('prune-plain-')
    writeCatalogue(plain, ['llm/litellm@1'])
    api.openPulls.push(5, 9)
    const modal = world()
    const run = await runCli(['prune', '--env', 'dev', '--yes'], { modal, cwd: plain, env: env() })
    expect(run.status).toBe(0)
    expect(stops(modal)).toEqual(['llm-litellm-v1-pr6'])
    expect(run.stdout).toContain(
      'Note: Processors removed from the catalogue were not considered: modal-processors.json is not in a git repository',
    )
  })

  test('a stop that fails is reported, the others still run, exit 1', async () => {
    api.openPulls.push(5, 9)
    const modal = world()
    modal.on('modal app stop', (r) =>
      (r.args.args as string[])[2] === 'llm-litellm-v1-pr6'
        ? { ok: true, value: { exit_code: 1, stdout: '', stderr: 'Permission denied\n' } }
        : undefined,
    )
    const run = await runCli(['prune', '--env', 'dev', '--yes'], { modal, cwd: dir, env: env() })
    expect(run.status).toBe(1)
    expect(stops(modal)).toEqual(['llm-litellm-v1-pr6', 'ocr-tesseract-v2'])
    expect(modal.stopped.has('ocr-tesseract-v2')).toBe(true)
    expect(run.stdout).toContain('ERR_PREVIEW_TEARDOWN_FAILED')
    expect(run.stdout).toContain('1 of 2 app(s) stopped in dev; 1 failed.')
  })

  test('previews but no GitHub context: exit 2 before anything is stopped', async () => {
    const modal = world()
    const run = await runCli(['prune', '--env', 'dev', '--yes'], { modal, cwd: dir, env: {} })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('missing: GITHUB_TOKEN, GITHUB_REPOSITORY')
    expect(stops(modal)).toEqual([])
  })

  test("GitHub's refusal names the permission; exit 2, nothing stopped", async () => {
    api.override(() => githubError(403, 'Resource not accessible by integration'))
    const modal = world()
    const run = await runCli(['prune', '--env', 'dev', '--yes'], { modal, cwd: dir, env: env() })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('pull-requests: read')
    expect(run.stderr).not.toContain('ghs_pruneTokenForTests')
    expect(stops(modal)).toEqual([])
  })

  test("Modal's hostile state and stop error stay in their one bounded cell: no line of stdout is a workflow command", async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 't').deployed('llm-litellm-v1-pr6', 't')
    const hostile = (name: string) =>
      name === 'llm-litellm-v1' ? 'deployed\n::error title=X::y\r::warning::z\u001b[2J' : `deployed${'x'.repeat(5000)}`
    modal.on('modal app list', () => {
      const rows = [...modal.apps].map(([name, a]) => ({ app_id: a.id, description: name, state: hostile(name) }))
      return cli(0, JSON.stringify(rows))
    })
    modal.on('modal app stop', () => cli(1, '', 'Denied\n::error::forged\n'))
    const run = await runCli(['prune', '--env', 'dev', '--yes'], { modal, cwd: dir, env: env() })
    expect(run.status).toBe(1)
    for (const line of run.stdout.split('\n')) {
      expect(line).not.toMatch(/^\s*::/)
      expect(line.length).toBeLessThan(1500)
    }
    expect(run.stdout).not.toMatch(CONTROL)
    expect(run.stdout).toContain('deployed ⏎ ::error title=X::y ⏎ ::warning::z␛[2J')
    expect(run.stdout).toMatch(/deployedx+… \(\d+ more characters\)/)
  })

  test('no previews: GitHub is not asked, and nothing to prune', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 't')
    const run = await runCli(['prune', '--env', 'dev'], { modal, cwd: dir, env: {} })
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('Nothing to prune in dev.')
    expect(api.requests).toEqual([])
  })
})
