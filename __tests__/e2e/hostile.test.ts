// Hostile input and a hostile environment, each case of the hardening review (D1–D11) run as the runner runs the
// action. World.run also proves, for every run, that no planted secret value reaches any output, file or log.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { OPENAI_KEY } from '../../testing/harness/emulator.mjs'
import { startFakeGitHubApi } from '../support/fake-github-api.js'
import { errorMessage, errorTitles, expectFailure, World } from './world.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

/** A module folder of the user's own, with a public image, whose `run` is `body` (Python, indented). */
function moduleWithRun(world: World, body: string, folderName = 'module', decorator = '@app.function()'): string {
  const dir = path.join(mkdtempSync(path.join(world.emulator.home, 'own-')), folderName)
  mkdirSync(dir)
  writeFileSync(
    path.join(dir, 'modal_app.py'),
    ['import os', 'import modal', 'app = modal.App("llm-litellm-v1")', '', decorator, 'def run(inputs: dict) -> dict:', body, ''].join(
      '\n',
    ),
  )
  return dir
}

const ok = (output: string) =>
  `    return {"ok": True, "schema": "v1", "processor": "llm/litellm@1", "mode": inputs["mode"], "output": ${output}, "duration_ms": 1}`

describe('reporting cannot fail the report', () => {
  test('D1: an output file that cannot be written is a warning; the summary and the exit code stand', async () => {
    const world = new World()
    const run = await world.run({}, { GITHUB_OUTPUT: '/nonexistent/folder/output' })
    expect(run.exitCode).toBe(0)
    expect(run.annotations.filter((a) => a.title === 'Outputs not written')).toHaveLength(1)
    expect(run.summary).toContain('deployed and smoke-tested')
    expect(run.stderr).toBe('')
  })

  test('D2: cancelled while the GitHub API hangs: outputs, summary and ERR_CANCELLED come first, quickly', async () => {
    const api = await startFakeGitHubApi()
    api.override((request) => ((request.body as { state?: string }).state === 'failure' ? 'no answer' : undefined))
    try {
      const world = new World()
      world.emulator.addFault('sdk:function.remote', 'hang')
      const run = await world.run(
        {},
        { GITHUB_API_URL: api.url },
        { githubToken: 'ghs_token-planted-for-tests', cancelWhenStdoutIncludes: 'Calling llm-litellm-v1.run' },
      )
      expectFailure(run, ['ERR_CANCELLED'], 'smoke')
      // The runner kills a cancelled step about 10 s after SIGINT: the report must be out well before (a hung API
      // call used to hold it for 10 s). Counted from the cancel, so a slow deploy before it does not count.
      expect(run.msAfterCancel).toBeLessThan(9000)
    } finally {
      await api.close()
    }
  })
})

describe('inputs become arguments only when the target’s grammar allows them', () => {
  test.each(['--env'])('D3: app-name %j is refused before anything changes', async (name) => {
    const world = new World({ prepare: false })
    const run = await world.run({ 'app-name': name })
    expectFailure(run, ['ERR_INVALID_INPUT'], 'inputs')
    expect(errorMessage(run)).toContain('start with a letter or digit')
    expect(world.versions(name)).toEqual([])
  })

  test('D10: smoke-inputs nested 1,200 deep is refused in the inputs phase', async () => {
    const world = new World({ prepare: false })
    const run = await world.run({ 'smoke-inputs': `{"a":${'['.repeat(1200)}${']'.repeat(1200)}}` })
    expectFailure(run, ['ERR_INVALID_SMOKE_INPUTS'], 'inputs')
    expect(world.versions()).toEqual([])
  })
})

describe('secrets and redaction', () => {
  test('D5: a step-env secret with a trailing newline is redacted in every form the processor could echo', async () => {
    const world = new World()
    const attached = '@app.function(secrets=[modal.Secret.from_name("OPENAI_API_KEY")])'
    const moduleDir = moduleWithRun(world, ok('{"key": os.environ.get("OPENAI_API_KEY", "")}'), 'module', attached)
    // World.run fails the test if the key appears anywhere the action wrote.
    const run = await world.run({ 'modal-module-dir': moduleDir, 'image-visibility': 'public' }, { OPENAI_API_KEY: `${OPENAI_KEY}\n` })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['smoke-output']).toContain('***')
  })

  test('D4: a registry user name and short values are not secrets: nothing ordinary is masked', async () => {
    const world = new World()
    const run = await world.run({}, { REGISTRY_USERNAME: 'acme', OPENAI_API_KEY: 'test' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['dashboard-url']).toBe('https://modal.com/apps/acme/dev/deployed/llm-litellm-v1')
    expect(run.outputs['smoke-output']).toContain('mock reply to: test')
    expect(run.masks).not.toContain('acme')
  })
})

describe('untrusted text in the log and the summary', () => {
  test('D8: a bare CR in processor error text cannot add a heading, a link or leave the code fence', async () => {
    const world = new World()
    const hostile = 'boom\\r# INJECTED HEADING\\r[click](https://evil.example)\\r```\\r<img src=x>'
    const error = `{"type": "ProcessorError", "code": None, "message": "${hostile}", "exit_code": 1, "stderr_tail": "${hostile}"}`
    const moduleDir = moduleWithRun(
      world,
      `    return {"ok": False, "schema": "v1", "processor": "llm/litellm@1", "mode": inputs["mode"], "error": ${error}}`,
    )
    const run = await world.run({ 'modal-module-dir': moduleDir, 'image-visibility': 'public', 'rollback-on-failure': 'false' })
    expectFailure(run, ['ERR_SMOKE_FAILED'], 'smoke')
    const outsideFences = run.summary.replace(/^ *(`{3,})text\n[\s\S]*?^ *\1$/gm, '')
    expect(outsideFences).not.toMatch(/^#+ INJECTED/m)
    expect(outsideFences).not.toContain('[click](')
    expect(outsideFences).not.toContain('<img')
    expect(run.summary).not.toMatch(/\r/)
  })

  test('D9: a module folder whose name holds a newline and a workflow command gets no annotation out', async () => {
    const world = new World()
    const moduleDir = moduleWithRun(world, ok('{}'), 'mod\n::warning title=INJECTED::from a folder name')
    const run = await world.run({ 'modal-module-dir': moduleDir, 'image-visibility': 'public' })
    expect(run.annotations.map((a) => a.title)).not.toContain('INJECTED')
  })
})

describe('the machine the action runs on', () => {
  test('D7: a directory named modal earlier on PATH is passed over, as a shell does', async () => {
    const world = new World()
    const decoy = scratchDir('decoy-')
    mkdirSync(path.join(decoy, 'modal'))
    const run = await world.run({}, { PATH: `${decoy}:${world.emulator.env.PATH}` })
    expect(errorTitles(run)).toEqual([])
    expect(run.exitCode).toBe(0)
  })

  test('D6: two steps given the same deploy tag each find their own version; the one raced is told so', async () => {
    const world = new World()
    world.emulator.addFault('deploy', 'race', { times: 1, message: 'same-tag' })
    const run = await world.run({ 'deploy-tag': 'same-tag' })
    expectFailure(run, ['ERR_RACE_DETECTED'], 'verify')
    expect(world.versions().map((v) => v.tag)).toEqual([expect.stringMatching(/^same-tag-[0-9a-f]{6}$/), 'same-tag'])
  })

  test('D11: multi-byte output split across pipe reads does not break a no-op deploy', async () => {
    const world = new World()
    const moduleDir = moduleWithRun(world, ok('{}'))
    writeFileSync(path.join(moduleDir, 'modal_app.py'), `print("é" * 70000)\n${readModule(moduleDir)}`)
    const inputs = { 'modal-module-dir': moduleDir, 'image-visibility': 'public' }
    expect((await world.run(inputs)).exitCode).toBe(0)
    const again = await world.run(inputs, { GITHUB_RUN_ID: '1002' })
    expect(errorTitles(again)).toEqual([])
    expect(again.outputs).toMatchObject({ version: '1', 'deployed-version': '' })
  })
})

function readModule(dir: string): string {
  return readFileSync(path.join(dir, 'modal_app.py'), 'utf8')
}
