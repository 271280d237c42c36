// The action end to end, built from the current src/ and run as the runner runs it, against the local Modal emulator.
import { rmSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { errorMessage, errorTitles, expectFailure, World } from './world.js'
import { loopbackCacheService } from '../../testing/harness/cache-service.mjs'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { offlinePipEnv, standInWheelFolder } from '../../testing/harness/stand-in-wheel.mjs'

/** A folder with the system's python3 (externally managed on Debian and Ubuntu, PEP 668) and no modal command. */
function systemPythonOnly(): string {
  const bin = scratchDir('python-only-')
  symlinkSync('/usr/bin/python3', path.join(bin, 'python3'))
  return bin
}

describe('happy path', () => {
  const world = new World()
  let first: Awaited<ReturnType<World['run']>>

  beforeAll(async () => {
    first = await world.run()
  })

  test('deploys, smoke-tests and succeeds with no error annotation', () => {
    expect(errorTitles(first)).toEqual([])
    expect(first.exitCode).toBe(0)
  })

  test('sets every output', () => {
    expect(first.outputs).toMatchObject({
      'app-name': 'llm-litellm-v1',
      version: '1',
      'previous-version': '',
      'dashboard-url': 'https://modal.com/apps/acme/dev/deployed/llm-litellm-v1',
      'smoke-status': 'passed',
      phase: 'smoke',
      'error-code': '',
    })
    expect(first.outputs['app-id']).toMatch(/^ap-[A-Za-z0-9]{22}$/)
    expect(Number(first.outputs['duration-ms'])).toBeGreaterThan(0)
    const output = JSON.parse(first.outputs['smoke-output'])
    expect(JSON.stringify(output)).toContain('test')
  })

  test('the deployed version carries the provenance tag', () => {
    expect(world.versions()).toEqual([
      expect.objectContaining({ version: 1, tag: expect.stringMatching(/^3f2a1bc9d8e7-r1001\.1-[0-9a-f]{6}$/) }),
    ])
  })

  test('the summary tells the story at a glance', () => {
    expect(first.summary).toContain('## ✅ llm/litellm@1 deployed and smoke-tested on Modal `dev`')
    expect(first.summary).toContain('| Version | none → v1 |')
    expect(first.summary).toContain(`| Image digest | \`${world.imageRef.split('@')[1]}\` |`)
    expect(first.summary).toMatch(/\| smoke \| ✅ passed \|/)
    expect(first.summary).toContain('`REGISTRY_AUTH`, `OPENAI_API_KEY`')
  })

  test('log groups follow the steps in order and the tokens are masked', () => {
    expect(first.groups).toEqual([
      'Validate inputs',
      'Preflight: token, environment, secrets',
      'Deploy llm-litellm-v1 to dev',
      'Verify the live version',
      'Smoke call (mock)',
    ])
    expect(first.masks).toEqual(expect.arrayContaining([world.emulator.token.MODAL_TOKEN_ID, world.emulator.token.MODAL_TOKEN_SECRET]))
  })
})

describe('input validation', () => {
  test('every bad input is reported at once, and nothing is started', async () => {
    const world = new World({ prepare: false })
    const run = await world.run({
      'processor-ref': 'LLM/litellm',
      'image-ref': 'ghcr.io/acme/llm-litellm:1',
      'modal-environment': 'en-x',
      mode: 'live',
    })
    expect(run.exitCode).toBe(1)
    expectFailure(run, ['ERR_INVALID_PROCESSOR_REF', 'ERR_UNPINNED_IMAGE', 'ERR_INVALID_ENVIRONMENT', 'ERR_INVALID_INPUT'], 'inputs')
    expect(errorMessage(run)).toContain('e.g. llm/litellm@1')
    expect(run.outputs).toMatchObject({ phase: 'inputs', 'error-code': 'ERR_INVALID_PROCESSOR_REF', 'smoke-status': 'not-run' })
    expect(run.groups).toEqual(['Validate inputs'])
    expect(world.versions()).toEqual([])
  })
})

describe('the processor catalogue', () => {
  test('a ref alone is enough when the catalogue gives the image and the secrets', async () => {
    const world = new World()
    const file = path.join(world.emulator.home, 'catalogue.json')
    writeFileSync(
      file,
      JSON.stringify({ processors: { 'llm/litellm@1': { image: { oci: world.imageRef }, tool_secrets: ['OPENAI_API_KEY'] } } }),
    )
    const run = await world.run({ 'image-ref': '', 'tool-secrets': '', 'catalogue-file': file })
    expect(errorTitles(run)).toEqual([])
    expect(run.summary).toContain('`REGISTRY_AUTH`, `OPENAI_API_KEY`')
    expect(run.summary).toContain(world.imageRef.split('@')[1])
  })

  test('registry-file, the v1 name of catalogue-file, still names it, with a deprecation warning on the step', async () => {
    const world = new World()
    const file = path.join(world.emulator.home, 'v1-catalogue.json')
    writeFileSync(file, JSON.stringify({ processors: { 'llm/litellm@1': { image: { oci: world.imageRef }, tool_secrets: [] } } }))
    const run = await world.run({ 'image-ref': '', 'tool-secrets': '', 'registry-file': file, 'dry-run': 'true' })
    expect(errorTitles(run)).toEqual([])
    expect(run.annotations.filter((a) => a.title === 'Deprecated input')).toEqual([
      expect.objectContaining({ level: 'warning', message: expect.stringMatching(/^registry-file is deprecated, use catalogue-file/) }),
    ])
    expect(run.summary).toContain(world.imageRef.split('@')[1])
  })
})

describe('preflight failures change nothing', () => {
  test('neither modal nor Python on PATH', async () => {
    const world = new World()
    const run = await world.run({}, { PATH: scratchDir('empty-path-') })
    expectFailure(run, ['ERR_MODAL_CLI_MISSING'], 'preflight')
    expect(errorMessage(run)).toContain('Neither modal nor Python is on PATH: add actions/setup-python')
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ phase: 'preflight', 'error-code': 'ERR_MODAL_CLI_MISSING' })
    expect(world.versions()).toEqual([])
  })

  test('no modal CLI, only the system Python: modal-version goes into a venv of its own, reused by the next run, and restored from the cache service on a fresh runner', async () => {
    const world = new World()
    const service = await loopbackCacheService()
    try {
      const toolCache = scratchDir('tool-cache-')
      const env = {
        PATH: `${systemPythonOnly()}:/usr/bin:/bin`,
        RUNNER_TOOL_CACHE: toolCache,
        PIP_NO_CACHE_DIR: '1',
        ACTIONS_CACHE_URL: service.url,
        ACTIONS_RUNTIME_TOKEN: 'runtime-token-for-tests',
      }
      const run = await world.run({ 'modal-version': '1.5.4' }, { ...env, ...offlinePipEnv(standInWheelFolder()) })
      expect(errorTitles(run)).toEqual([])
      expect(run.exitCode).toBe(0)
      const venv = path.join(toolCache, 'modal-processor-deploy', '1.5.4')
      expect(run.outputs['modal-path']).toMatch(new RegExp(`^${venv}/3\\.[0-9]+\\.[0-9]+/bin/modal$`))
      expect(run.outputs['modal-version']).toBe('1.5.4')
      expect(run.stdout).toMatch(new RegExp(`^::group::Install modal==1\\.5\\.4 into ${venv}/`, 'm'))
      expect(run.stdout).toContain('Cache saved successfully')
      expect(run.summary).toContain('| Modal client | `1.5.4` |')
      // No wheels to install from: the next runs pass only with the environment already there, or given back.
      const noWheels = offlinePipEnv(scratchDir('no-wheels-'))
      const again = await world.run({ 'dry-run': 'true' }, { ...env, ...noWheels })
      expect(errorTitles(again)).toEqual([])
      expect(again.outputs['modal-path']).toBe(run.outputs['modal-path'])
      expect(again.stdout).not.toMatch(/::group::(Install|Restore)/)
      expect(again.logLines.join('\n')).toContain('Using the Modal client environment in')
      rmSync(path.join(toolCache, 'modal-processor-deploy'), { recursive: true })
      const fresh = await world.run({ 'dry-run': 'true' }, { ...env, ...noWheels })
      expect(errorTitles(fresh)).toEqual([])
      expect(fresh.stdout).not.toContain('::group::Install modal')
      expect(fresh.logLines.join('\n')).toContain('Restored the Modal client environment')
      expect(fresh.outputs).toMatchObject({ 'modal-path': run.outputs['modal-path'], 'modal-version': '1.5.4' })
    } finally {
      await service.close()
    }
  })

  test('no token', async () => {
    const world = new World()
    const run = await world.run({}, { MODAL_TOKEN_ID: undefined, MODAL_TOKEN_SECRET: undefined, HOME: scratchDir('home-') })
    expectFailure(run, ['ERR_MODAL_TOKEN_MISSING'], 'preflight')
    expect(errorMessage(run)).toContain('Token missing')
    expect(world.versions()).toEqual([])
  })

  test('every missing secret is reported with the command that creates it; an optional one is not an error', async () => {
    const world = new World({ prepare: false })
    const run = await world.run()
    expectFailure(run, ['ERR_MISSING_SECRET', 'ERR_MISSING_SECRET'], 'preflight')
    expect(errorMessage(run)).toContain(
      "Create it with: modal secret create REGISTRY_AUTH REGISTRY_USERNAME='<registry-username>' REGISTRY_PASSWORD='<registry-token-with-read:packages>' --env dev",
    )
    expect(errorMessage(run, 1)).toContain("modal secret create OPENAI_API_KEY OPENAI_API_KEY='<openai_api_key>' --env dev")
    expect(run.summary).toContain('ERR_MISSING_SECRET')
    expect(world.versions()).toEqual([])
  })
})

describe('the Modal session', () => {
  test('one process loads the Modal client for the whole step: checks, deploy, read-back, smoke call', async () => {
    const world = new World()
    const before = world.clientLoads()
    const run = await world.run()
    expect(run.exitCode).toBe(0)
    expect(world.clientLoads() - before).toBe(1)
    expect(await world.clientProcessesLeftRunning()).toEqual([])
    expect(run.summary).not.toContain('### Notes')
  })

  test('what the module prints, reads or forges at import reaches the log, never the protocol', async () => {
    const world = new World()
    const moduleDir = world.ownModule(
      [
        'import sys',
        'import modal',
        'print(\'{"id": 3, "ok": true, "value": null}\')',
        'print("stdin gave", repr(sys.stdin.read()))',
        'sys.stdout = open("/dev/null", "w")',
        'app = modal.App("llm-litellm-v1")',
        '',
        '@app.function()',
        'def run(inputs: dict) -> dict:',
        '    return {"ok": True, "schema": "v1", "processor": "llm/litellm@1", "mode": inputs["mode"], "output": {}, "duration_ms": 1}',
        '',
      ].join('\n'),
    )
    const run = await world.run({ 'modal-module-dir': moduleDir, 'image-visibility': 'public' })
    expect(errorTitles(run)).toEqual([])
    expect(run.stdout).toContain('\n{"id": 3, "ok": true, "value": null}\n')
    expect(run.stdout).toContain("\nstdin gave ''\n")
    // The module swallowed the client's output for its deploy (as it would in a `modal deploy` process); the
    // version was still read back by its tag, and the session answered every request after it.
    expect(run.outputs).toMatchObject({ version: '1', 'deployed-version': '1', 'smoke-status': 'passed' })
  })
})

describe('untrusted text', () => {
  test('lines printed by the deployed module and the processor cannot inject workflow commands', async () => {
    const world = new World()
    const moduleDir = world.ownModule(
      [
        'import modal',
        'print("::error title=INJECTED::from the module")',
        'app = modal.App("llm-litellm-v1")',
        '',
        '@app.function()',
        'def run(inputs: dict) -> dict:',
        '    out = {"note": "::warning title=INJECTED::from the output"}',
        '    return {"ok": True, "schema": "v1", "processor": "llm/litellm@1", "mode": inputs["mode"], "output": out, "duration_ms": 1}',
        '',
      ].join('\n'),
    )
    const run = await world.run({ 'modal-module-dir': moduleDir, 'image-visibility': 'public' })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('\n::error title=INJECTED::from the module\n')
    expect(run.annotations.map((a) => a.title)).not.toContain('INJECTED')
  })
})
