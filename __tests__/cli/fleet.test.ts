// `matrix` against git repositories made here (changed entry, processor folder, module; nothing; unknown ref;
// shallow clone), and `fleet-report` over report files.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { emptyReport } from '../../src/rules/run-report.js'
import { runReportFile } from '../../src/rules/run-report-file.js'
import { parseWorkflowCommands } from '../../testing/harness/github-runner.mjs'
import { runCli } from '../support/cli-in-process.js'
import { githubError, startFakeGitHubApi, type FakeGitHubApi, type Reply } from '../support/fake-github-api.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

const image = (name: string, hex = 'ab') => `ghcr.io/acme/${name}:1@sha256:${hex.repeat(32)}`
const CATALOGUE = {
  processors: {
    'llm/litellm@1': { image: { oci: image('llm') }, tool_secrets: ['OPENAI_API_KEY'], local_command: 'processors/llm/bin/processor' },
    'replicate/generic@1': { image: { oci: image('rep') }, local_command: 'processors/rep/bin/processor' },
  },
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
  })
}

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
  writeFileSync(path.join(root, file), text)
}

/** A repository with the catalogue, two processor folders and the Modal module, in one commit. */
function repository(): string {
  const root = scratchDir('fleet-repo-')
  git(root, 'init', '-q')
  write(root, 'modal-processors.json', JSON.stringify(CATALOGUE, null, 2))
  write(root, 'processors/llm/bin/processor', '#!/bin/sh\n')
  write(root, 'processors/rep/bin/processor', '#!/bin/sh\n')
  write(root, 'modal/modal_app.py', '# module\n')
  write(root, 'README.md', 'docs\n')
  git(root, 'add', '.')
  git(root, 'commit', '-qm', 'base')
  return root
}

function commit(root: string, file: string, text: string): void {
  write(root, file, text)
  git(root, 'add', '.')
  git(root, 'commit', '-qm', `change ${file}`)
}

const matrix = (root: string, ...args: string[]) => runCli(['matrix', ...args], { cwd: root })
const planned = (stdout: string) =>
  (JSON.parse(stdout) as { include: { 'processor-ref': string }[] }).include.map((e) => e['processor-ref'])

describe('modal-processor matrix', () => {
  test('without --changed-since, every processor, with the inputs of the action; also written to $GITHUB_OUTPUT', async () => {
    const root = repository()
    const output = path.join(root, 'github-output')
    const run = await runCli(['matrix'], { cwd: root, env: { GITHUB_OUTPUT: output } })
    expect(run.status).toBe(0)
    const expected = {
      include: [
        { 'processor-ref': 'llm/litellm@1', 'app-name': 'llm-litellm-v1', 'image-ref': image('llm'), 'tool-secrets': 'OPENAI_API_KEY' },
        { 'processor-ref': 'replicate/generic@1', 'app-name': 'replicate-generic-v1', 'image-ref': image('rep'), 'tool-secrets': '' },
      ],
    }
    expect(JSON.parse(run.stdout)).toEqual(expected)
    expect(readFileSync(output, 'utf8')).toBe(`matrix=${JSON.stringify(expected)}\ncount=2\n`)
    // One line says why every processor is planned; it reads as a note, not as an error per processor.
    expect(run.stderr).toBe('no base given: planning all 2 processors\n')
    const one = await runCli(['matrix', '--only', 'llm/litellm@1'], { cwd: root })
    expect(one.stderr).toBe('no base given: planning the 1 processor --only names\n')
  })

  test('nothing changed since the ref: an empty matrix, which is a valid answer', async () => {
    const root = repository()
    commit(root, 'README.md', 'more docs\n')
    const output = path.join(root, 'github-output')
    const run = await runCli(['matrix', '--changed-since', 'HEAD~1'], { cwd: root, env: { GITHUB_OUTPUT: output } })
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({ include: [] })
    expect(run.stderr).toContain('No processor to deploy.')
    expect(readFileSync(output, 'utf8')).toBe('matrix={"include":[]}\ncount=0\n')
  })

  test('a changed catalogue entry selects that processor, and says why', async () => {
    const root = repository()
    const changed = structuredClone(CATALOGUE)
    changed.processors['replicate/generic@1'].image.oci = image('rep', 'cd')
    commit(root, 'modal-processors.json', JSON.stringify(changed, null, 2))
    const run = await matrix(root, '--changed-since', 'HEAD~1')
    expect(planned(run.stdout)).toEqual(['replicate/generic@1'])
    // One summary line by default; --verbose says it per processor.
    expect(run.stderr).toBe('Planned 1 of 2 processors (1 its catalogue entry changed). --verbose lists each processor.\n')
    const verbose = await matrix(root, '--changed-since', 'HEAD~1', '--verbose')
    expect(verbose.stderr).toContain('replicate/generic@1: its catalogue entry changed\n')
  })

  test("a change in a processor's folder selects it; uncommitted changes count too", async () => {
    const root = repository()
    const base = git(root, 'rev-parse', 'HEAD').trim()
    write(root, 'processors/llm/README.md', 'notes\n')
    git(root, 'add', '.')
    const run = await matrix(root, '--changed-since', base, '--verbose')
    expect(planned(run.stdout)).toEqual(['llm/litellm@1'])
    expect(run.stderr).toContain('llm/litellm@1: its files changed (processors/llm/)')
  })

  test('a processor removed since the ref is named with the command that stops its app', async () => {
    const root = repository()
    commit(root, 'modal-processors.json', JSON.stringify({ processors: { 'llm/litellm@1': CATALOGUE.processors['llm/litellm@1'] } }))
    const run = await matrix(root, '--changed-since', 'HEAD~1')
    expect(planned(run.stdout)).toEqual([])
    expect(run.stderr).toContain(
      'replicate/generic@1: removed from the catalogue; its app keeps running: modal app stop replicate-generic-v1 --env <env> stops it',
    )
  })

  test('a change to the Modal module selects every processor; --only narrows it; --module-dir moves it', async () => {
    const root = repository()
    commit(root, 'modal/modal_app.py', '# module v2\n')
    expect(planned((await matrix(root, '--changed-since', 'HEAD~1')).stdout)).toEqual(['llm/litellm@1', 'replicate/generic@1'])
    expect(planned((await matrix(root, '--changed-since', 'HEAD~1', '--only', 'replicate/generic@1')).stdout)).toEqual([
      'replicate/generic@1',
    ])
    mkdirSync(path.join(root, 'deploy/modal'), { recursive: true })
    expect(planned((await matrix(root, '--changed-since', 'HEAD~1', '--module-dir', 'deploy/modal')).stdout)).toEqual([])
  })

  test('the catalogue is read from --catalogue, its processor folders relative to it, from a subfolder too', async () => {
    const root = repository()
    write(
      root,
      'fleet/cat.json',
      JSON.stringify({ processors: { 'ocr/tesseract@2': { image: { oci: image('ocr') }, local_command: 'ocr/bin/run' } } }),
    )
    git(root, 'add', '.')
    git(root, 'commit', '-qm', 'fleet')
    commit(root, 'fleet/ocr/model.txt', 'weights\n')
    const run = await runCli(['matrix', '--catalogue', 'cat.json', '--changed-since', 'HEAD~1', '--verbose'], {
      cwd: path.join(root, 'fleet'),
    })
    expect(planned(run.stdout)).toEqual(['ocr/tesseract@2'])
    expect(run.stderr).toContain('its files changed (fleet/ocr/)')
  })

  test('the all-zero commit of a new branch push plans every processor and says so', async () => {
    const run = await matrix(repository(), '--changed-since', '0'.repeat(40))
    expect(planned(run.stdout)).toHaveLength(2)
    expect(run.stderr).toContain(`--changed-since ${'0'.repeat(40)} names no commit (a new branch): planning all 2 processors\n`)
  })

  test.each([
    [
      'an unknown ref',
      ['--changed-since', 'no-such-branch'],
      "--changed-since 'no-such-branch' is not a commit, branch or tag of this repository.",
    ],
    ['a ref that reads as an option', ['--changed-since=--output=x'], "--changed-since '--output=x' is not a git ref."],
    [
      'an --only ref the catalogue lacks',
      ['--only', 'llm/litellm@2'],
      "--only names 'llm/litellm@2', not in modal-processors.json (it has llm/litellm@1, replicate/generic@1).",
    ],
  ])('%s exits 2 with a clear message, never an empty matrix', async (_, args, message) => {
    const run = await matrix(repository(), ...args)
    expect(run.status).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain(message)
  })

  test('in a workflow step, text it quotes cannot act as a workflow command', async () => {
    const root = repository()
    const hostile = 'nosuch\n::warning title=pwn::x'
    const run = await runCli(['matrix', '--changed-since', hostile, '--only', hostile], { cwd: root, env: { GITHUB_ACTIONS: 'true' } })
    expect(run.status).toBe(2)
    expect(parseWorkflowCommands(run.stderr).annotations).toEqual([])
    expect(run.stderr).toContain("--only names 'nosuch ⏎ ::warning title=pwn::x', not in modal-processors.json")
    const git = await runCli(['matrix', '--changed-since', hostile], { cwd: root })
    expect(git.stderr).toContain("--changed-since 'nosuch ⏎ ::warning title=pwn::x' is not a commit")
    // A catalogue key quoted in an error's message: the CLI prints the message on one line, and fences a step's output.
    write(root, 'modal-processors.json', JSON.stringify({ processors: { [hostile]: { image: { oci: image('x') } } } }))
    const fenced = await runCli(['matrix'], { cwd: root, env: { GITHUB_ACTIONS: 'true' } })
    expect(fenced.status).toBe(2)
    expect(parseWorkflowCommands(fenced.stderr).annotations).toEqual([])
    // Outside a workflow nothing is fenced, and the error's message is one line all the same.
    const unfenced = await runCli(['matrix'], { cwd: root })
    expect(parseWorkflowCommands(unfenced.stderr).annotations).toEqual([])
    expect(unfenced.stderr).toContain('nosuch ⏎ ::warning title=pwn::x')
  })

  test('a catalogue error exits 2, naming the file and field', async () => {
    const root = repository()
    write(root, 'modal-processors.json', JSON.stringify({ processors: { 'llm/litellm@1': { image: { oci: 'ghcr.io/acme/x:1' } } } }))
    const run = await matrix(root)
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(
      /^ERR_INVALID_REGISTRY: modal-processors\.json: processors\.llm\/litellm@1\.image\.oci: .*not pinned by digest/,
    )
  })

  test('a shallow clone that lacks the ref says to fetch more history', async () => {
    const origin = repository()
    commit(origin, 'README.md', 'second\n')
    const base = git(origin, 'rev-parse', 'HEAD~1').trim()
    const clone = scratchDir('fleet-shallow-')
    git(clone, 'clone', '-q', '--depth', '1', `file://${origin}`, '.')
    const run = await matrix(clone, '--changed-since', base)
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(
      `--changed-since '${base}' is not in this shallow clone: fetch the history it needs (actions/checkout with fetch-depth: 0`,
    )
  })

  test('a base branch that moved on since the fork: only what the branch changed (from where they meet)', async () => {
    const root = repository()
    git(root, 'checkout', '-qb', 'feature')
    commit(root, 'processors/llm/README.md', 'the pull request\n')
    git(root, 'checkout', '-q', 'main')
    // main, after the fork: another processor's entry and the Modal module change.
    const moved = structuredClone(CATALOGUE)
    moved.processors['replicate/generic@1'].image.oci = image('rep', 'cd')
    commit(root, 'modal-processors.json', JSON.stringify(moved, null, 2))
    commit(root, 'modal/modal_app.py', '# module on main\n')
    const mainHead = git(root, 'rev-parse', 'HEAD').trim()
    git(root, 'checkout', '-q', 'feature')
    // What a pull_request event gives as base.sha: main's head, not the fork point.
    const run = await matrix(root, '--changed-since', mainHead, '--verbose')
    expect(run.status).toBe(0)
    expect(planned(run.stdout)).toEqual(['llm/litellm@1'])
    expect(run.stderr).toContain('llm/litellm@1: its files changed (processors/llm/)')
  })

  test('a base with no common commit is compared with itself, and the message says so', async () => {
    const root = repository()
    git(root, 'checkout', '-q', '--orphan', 'elsewhere')
    commit(root, 'processors/llm/README.md', 'unrelated\n')
    const orphan = git(root, 'rev-parse', 'HEAD').trim()
    git(root, 'checkout', '-q', 'main')
    const run = await matrix(root, '--changed-since', orphan, '--verbose')
    expect(run.status).toBe(0)
    expect(run.stderr).toContain(
      `${orphan.slice(0, 12)} and HEAD have no common commit (their histories never meet): comparing with ${orphan.slice(0, 12)} itself`,
    )
    // The orphan's tree has the same files but for the README: compared with it, the llm folder differs.
    expect(planned(run.stdout)).toEqual(['llm/litellm@1'])
  })

  test('--changed-since outside a git repository exits 2', async () => {
    const dir = scratchDir('fleet-nogit-')
    writeFileSync(path.join(dir, 'modal-processors.json'), JSON.stringify(CATALOGUE))
    const run = await matrix(dir, '--changed-since', 'HEAD')
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('Comparing with a commit needs a git repository')
  })
})

describe('modal-processor matrix --max-jobs', () => {
  /** A catalogue of `count` processors in a folder of its own (no git: no base, every processor planned). */
  function fleet(count: number): string {
    const root = scratchDir('fleet-big-')
    const processors = Object.fromEntries(
      Array.from({ length: count }, (_, i) => [`team${i}/proc@1`, { image: { oci: image(`p${i}`) }, tool_secrets: [] }]),
    )
    write(root, 'modal-processors.json', JSON.stringify({ processors }))
    return root
  }
  type Job = { 'processor-ref'?: string; 'processor-refs'?: string; batch?: string }
  const jobsOf = (stdout: string) => (JSON.parse(stdout) as { include: Job[] }).include

  test('up to N processors: one job each, exactly as without the flag', async () => {
    const root = fleet(3)
    const run = await runCli(['matrix', '--max-jobs', '3'], { cwd: root })
    expect(run.status).toBe(0)
    expect(run.stdout).toBe((await runCli(['matrix'], { cwd: root })).stdout)
    expect(jobsOf(run.stdout).map((j) => j['processor-ref'])).toEqual(['team0/proc@1', 'team1/proc@1', 'team2/proc@1'])
  })

  test('past N: N jobs of processor-refs, balanced, in catalogue order, each processor once; count is the jobs', async () => {
    const root = fleet(7)
    const output = path.join(root, 'github-output')
    const run = await runCli(['matrix', '--max-jobs', '3'], { cwd: root, env: { GITHUB_OUTPUT: output } })
    expect(run.status).toBe(0)
    expect(jobsOf(run.stdout)).toEqual([
      { 'processor-refs': 'team0/proc@1,team1/proc@1,team2/proc@1', batch: 'batch-1-of-3' },
      { 'processor-refs': 'team3/proc@1,team4/proc@1', batch: 'batch-2-of-3' },
      { 'processor-refs': 'team5/proc@1,team6/proc@1', batch: 'batch-3-of-3' },
    ])
    expect(readFileSync(output, 'utf8')).toMatch(/\ncount=3\n$/)
    expect(run.stderr).toBe(
      'no base given: planning all 7 processors\nPlanned 7 of 7 processors (7 no base to compare with), packed into 3 jobs.\n',
    )
  })

  test('600 processors take the default 256 jobs at most, each processor exactly once', async () => {
    const run = await runCli(['matrix'], { cwd: fleet(600) })
    const jobs = jobsOf(run.stdout)
    expect(jobs).toHaveLength(256)
    const refs = jobs.flatMap((j) => j['processor-refs']!.split(','))
    expect(refs).toHaveLength(600)
    expect(new Set(refs).size).toBe(600)
    // One line of notes, not one per processor.
    expect(run.stderr.trim().split('\n')).toHaveLength(2)
  })

  test.each(['0', '257', '2.5', 'many', '-1'])('--max-jobs %s exits 2', async (value) => {
    const run = await runCli(['matrix', `--max-jobs=${value}`], { cwd: fleet(2) })
    expect(run.status).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain(`--max-jobs '${value}' is not a whole number from 1 to 256.`)
  })
})

describe('modal-processor matrix --since-last-success', () => {
  const RUNS_PATH = '/repos/acme/processors/actions/workflows/deploy-on-push.yml/runs'
  let api: FakeGitHubApi
  beforeAll(async () => {
    api = await startFakeGitHubApi()
  })
  afterAll(() => api.close())
  beforeEach(() => api.requests.splice(0))

  const workflowEnv = () => ({
    GITHUB_API_URL: api.url,
    GITHUB_REPOSITORY: 'acme/processors',
    GITHUB_WORKFLOW_REF: 'acme/processors/.github/workflows/deploy-on-push.yml@refs/heads/main',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_TOKEN: 'ghs_token',
  })
  const lastSuccess = (root: string, answer: (path: string) => Reply) => {
    api.override((request) => (request.path.startsWith(RUNS_PATH) ? answer(request.path) : undefined))
    return runCli(['matrix', '--since-last-success'], { cwd: root, env: workflowEnv() })
  }

  test('plans what changed since the last green run, so a processor a failed run left behind is taken back', async () => {
    const root = repository()
    const green = git(root, 'rev-parse', 'HEAD').trim()
    // The run for this commit failed (llm did not deploy); the next push changes only replicate.
    commit(root, 'processors/llm/README.md', 'fix\n')
    commit(root, 'processors/rep/README.md', 'docs\n')
    const run = await lastSuccess(root, () => ({ status: 200, body: { total_count: 1, workflow_runs: [{ head_sha: green }] } }))
    expect(run.status).toBe(0)
    expect(planned(run.stdout)).toEqual(['llm/litellm@1', 'replicate/generic@1'])
    expect(api.requests[0].path).toBe(`${RUNS_PATH}?branch=main&status=success&per_page=1&exclude_pull_requests=true`)
    expect(api.requests[0].headers.authorization).toBe('Bearer ghs_token')
  })

  test('no green run yet, or one whose commit history lost: every processor, and why', async () => {
    const root = repository()
    const none = await lastSuccess(root, () => ({ status: 200, body: { total_count: 0, workflow_runs: [] } }))
    expect(planned(none.stdout)).toHaveLength(2)
    expect(none.stderr).toContain('this workflow has no successful run on this branch yet: planning all 2 processors\n')
    const lost = await lastSuccess(root, () => ({ status: 200, body: { workflow_runs: [{ head_sha: 'ab'.repeat(20) }] } }))
    expect(planned(lost.stdout)).toHaveLength(2)
    expect(lost.stderr).toContain(`commit ${'ab'.repeat(20)} is not in this repository's history (rewritten?): planning all 2 processors\n`)
  })

  test('an API that refuses, an answer that is not runs, or no workflow context: exit 2, never a plan', async () => {
    const root = repository()
    const refused = await lastSuccess(root, () => githubError(403, 'Resource not accessible by integration'))
    expect(refused.status).toBe(2)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toContain(
      'could not read the runs of deploy-on-push.yml from GitHub: HTTP 403 (the job needs permissions: actions: read)',
    )
    const odd = await lastSuccess(root, () => ({ status: 200, body: { workflow_runs: [{ head_sha: 'HEAD; rm -rf /' }] } }))
    expect([odd.status, odd.stderr]).toEqual([2, expect.stringContaining('the answer is not a list of workflow runs')])
    const outside = await runCli(['matrix', '--since-last-success'], { cwd: root })
    expect(outside.status).toBe(2)
    expect(outside.stderr).toContain('missing: GITHUB_REPOSITORY, GITHUB_WORKFLOW_REF, GITHUB_REF (a branch), GITHUB_TOKEN')
    const both = await runCli(['matrix', '--since-last-success', '--changed-since', 'HEAD'], { cwd: root })
    expect(both.stderr).toContain('Give --changed-since or --since-last-success, not both.')
  })

  test.each([
    [
      'the primary rate limit (403, no requests left)',
      {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1893456000' },
        message: 'API rate limit exceeded for installation ID 1.',
      },
      "HTTP 403 (GitHub's API rate limit: run the job again after 2030-01-01T00:00:00.000Z)",
    ],
    [
      'a secondary rate limit (403, its message, retry-after)',
      { status: 403, headers: { 'retry-after': '60' }, message: 'You have exceeded a secondary rate limit. Please wait a few minutes.' },
      "HTTP 403 (GitHub's API rate limit: run the job again in 60 s or later)",
    ],
    [
      '429 Too Many Requests',
      { status: 429, headers: {}, message: 'Too many requests' },
      "HTTP 429 (GitHub's API rate limit: run the job again later)",
    ],
    [
      'a missing permission (403, requests left)',
      { status: 403, headers: { 'x-ratelimit-remaining': '4999' }, message: 'Resource not accessible by integration' },
      'HTTP 403 (the job needs permissions: actions: read)',
    ],
    [
      'a private repository the token cannot see (404)',
      { status: 404, headers: {}, message: 'Not Found' },
      'HTTP 404 (the job needs permissions: actions: read)',
    ],
  ])('%s: exit 2, and the hint says which it is', async (_, answer, hint) => {
    const error = githubError(answer.status, answer.message) as { status: number; body: unknown }
    const run = await lastSuccess(repository(), () => ({ ...error, headers: answer.headers }))
    expect([run.status, run.stdout]).toEqual([2, ''])
    expect(run.stderr).toContain(`could not read the runs of deploy-on-push.yml from GitHub: ${hint}: `)
    expect(run.stderr).toContain(answer.message)
  })
})

describe('matrix --since-last-success: an endless answer', () => {
  /** A GitHub API whose every answer (with `status`) streams forever; it counts the bytes each answer sent. */
  async function endlessApi(status: number) {
    const sent: { bytes: number; closed: boolean }[] = []
    const server = createServer((_, response) => {
      const answer = { bytes: 0, closed: false }
      sent.push(answer)
      response.writeHead(status, { 'content-type': 'application/json', 'x-ratelimit-remaining': '4999' })
      response.write(status === 200 ? '{"workflow_runs": [' : '{"message": "Resource not accessible by integration ')
      const chunk = Buffer.alloc(64 * 1024, status === 200 ? ' ' : 'x')
      const more = () => {
        while (!answer.closed && response.write(chunk)) answer.bytes += chunk.length
      }
      response.on('drain', more)
      response.on('close', () => (answer.closed = true))
      more()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return { url, sent, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) }
  }
  const env = (url: string) => ({
    GITHUB_API_URL: url,
    GITHUB_REPOSITORY: 'acme/processors',
    GITHUB_WORKFLOW_REF: 'acme/processors/.github/workflows/deploy-on-push.yml@refs/heads/main',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_TOKEN: 'ghs_token',
  })

  test.each([
    [403, 'HTTP 403 (the job needs permissions: actions: read): {"message": "Resource not accessible by integration xxx'],
    [200, 'the answer is larger than 1048576 bytes'],
  ])('HTTP %i: read up to its bound, then the stream is cancelled and the command fails with exit 2', async (status, why) => {
    const api = await endlessApi(status)
    try {
      const run = await runCli(['matrix', '--since-last-success'], { cwd: repository(), env: env(api.url) })
      expect([run.status, run.stdout]).toEqual([2, ''])
      expect(run.stderr).toContain(`could not read the runs of deploy-on-push.yml from GitHub: ${why}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(api.sent).toHaveLength(1)
      expect(api.sent[0].closed).toBe(true)
      // What was sent before the client stopped reading: its bound, plus what the socket buffers held.
      expect(api.sent[0].bytes).toBeLessThan(8 * 1024 * 1024)
    } finally {
      await api.close()
    }
  })
})

describe('modal-processor fleet-report', () => {
  function reports(): { dir: string; files: string[] } {
    const dir = scratchDir('fleet-reports-')
    const passed = {
      ...emptyReport(),
      processorRef: 'llm/litellm@1',
      appName: 'llm-litellm-v1',
      versionBefore: 1,
      versionAfter: 2,
      smokeStatus: 'passed' as const,
      durationMs: 1200,
    }
    writeFileSync(path.join(dir, 'llm.json'), JSON.stringify(runReportFile(passed)))
    return { dir, files: ['llm.json'] }
  }
  const PLAN = JSON.stringify({
    include: [
      { 'processor-ref': 'llm/litellm@1', 'app-name': 'llm-litellm-v1', 'image-ref': image('llm'), 'tool-secrets': '' },
      { 'processor-ref': 'replicate/generic@1', 'app-name': 'replicate-generic-v1', 'image-ref': image('rep'), 'tool-secrets': '' },
    ],
  })

  test('renders the table, appends it to the job summary, exits 0 when every processor passed', async () => {
    const { dir, files } = reports()
    const summary = path.join(dir, 'summary.md')
    const run = await runCli(['fleet-report', ...files], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary } })
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('| ✅ llm/litellm@1 | llm-litellm-v1 | v1 → v2 | passed | — | 1.2 s |')
    expect(readFileSync(summary, 'utf8')).toBe(run.stdout)
  })

  test('with --matrix, a planned processor without a report fails the fleet; --json gives the same rows', async () => {
    const { dir, files } = reports()
    const run = await runCli(['fleet-report', '--matrix', PLAN, ...files, 'missing.json'], { cwd: dir })
    expect(run.status).toBe(1)
    expect(run.stdout).toContain('❌ 1 of 3 processor(s) passed; 1 no report, 1 unreadable.')
    expect(run.stdout).toContain('missing.json: does not exist')
    writeFileSync(path.join(dir, 'plan.json'), PLAN)
    const json = await runCli(['fleet-report', '--json', '--matrix', 'plan.json', ...files], { cwd: dir })
    expect(json.status).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      processors: [
        { processorRef: 'llm/litellm@1', status: 'passed' },
        { processorRef: 'replicate/generic@1', status: 'no report' },
      ],
    })
  })

  test('a batched plan: every processor of every batch is planned, so one left without a report is listed', async () => {
    const { dir, files } = reports()
    const batched = JSON.stringify({ include: [{ 'processor-refs': 'llm/litellm@1,replicate/generic@1', batch: 'batch-1-of-1' }] })
    const run = await runCli(['fleet-report', '--json', '--matrix', batched, ...files], { cwd: dir })
    expect(run.status).toBe(1)
    expect(JSON.parse(run.stdout)).toMatchObject({
      processors: [
        { processorRef: 'llm/litellm@1', status: 'passed' },
        { processorRef: 'replicate/generic@1', appName: 'replicate-generic-v1', status: 'no report' },
      ],
    })
  })

  test('no files and no plan, or a --matrix that is not a plan, are usage errors', async () => {
    expect((await runCli(['fleet-report'])).status).toBe(2)
    const bad = await runCli(['fleet-report', '--matrix', '{"include":"x"}', 'a.json'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('--matrix is not the output of modal-processor matrix')
  })
})
