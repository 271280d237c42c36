// The CLI in process: every command, its help and its usage errors, with captured streams and a scripted Modal session.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { CliIo } from '../../src/cli/io.js'
import { main } from '../../src/cli/main.js'
import { COMMANDS, commandHelp } from '../../src/cli/options.js'
import { SessionFailure } from '../../src/modal/session.js'
import { REFERENCE_PROCESSOR, REPO_ROOT } from '../../scripts/lib/emulator.mjs'
import { runCli } from '../support/cli-in-process.js'
import { cli as cliAnswer, fails, FakeModal, panel, raised } from '../support/fake-modal.js'
import { scratchDir } from '../../scripts/lib/scratch.mjs'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`

const cli = (argv: string[], modal = new FakeModal()) => runCli(argv, { modal })

describe('help and usage', () => {
  test('--version prints the version of the package', async () => {
    const run = await cli(['--version'])
    expect([run.status, run.stdout]).toEqual([
      0,
      `modal-processor ${JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version}\n`,
    ])
  })

  test('no command prints the commands and exits 2; --help exits 0', async () => {
    const none = await cli([])
    expect(none.status).toBe(2)
    for (const name of Object.keys(COMMANDS)) expect(none.stdout).toContain(`  ${name} `)
    expect((await cli(['--help'])).status).toBe(0)
  })

  test.each(Object.keys(COMMANDS))('%s --help lists every option of the table', async (name) => {
    const run = await cli([name, '--help'])
    expect(run.status).toBe(0)
    expect(run.stdout).toBe(`${commandHelp(name as keyof typeof COMMANDS)}\n`)
    for (const option of COMMANDS[name as keyof typeof COMMANDS].options) expect(run.stdout).toContain(`--${option.name}`)
  })

  test.each([
    [['launch'], "No such command 'launch'."],
    [['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--tail', '3'], "Unknown option '--tail'"],
    [['deploy', '--ref', 'llm/litellm@1'], "Missing option '--env'."],
    [['logs', '--env', 'dev', '--ref', 'llm/litellm@1', '--tail', '0'], '--tail must be a positive whole number'],
    [['run', '--ref', 'llm/litellm@1', '--adapter', 'cloud'], '--adapter must be modal or local'],
    [['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--mode', 'live'], '--mode must be mock or real'],
    [['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--env', 'dev', '--version', 'two'], '--version must be a version number'],
    [['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--env', 'dev', '--version', ''], '--version must be a version number'],
    [['name'], 'Expected exactly one processor ref'],
  ])('%j is a usage error (exit 2): %s', async (argv, text) => {
    const run = await cli(argv)
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(`Try 'modal-processor ${argv[0]} --help' for help.`)
    expect(run.stderr).toContain(text)
  })
})

describe('name', () => {
  test('prints the app name; a bad ref is the action’s error', async () => {
    expect(await cli(['name', 'llm/litellm@1'])).toMatchObject({ status: 0, stdout: 'llm-litellm-v1\n' })
    const bad = await cli(['name', 'LLM/x'])
    expect(bad.status).toBe(1)
    expect(bad.stderr).toMatch(/^ERR_INVALID_PROCESSOR_REF: /)
  })
})

describe('deploy', () => {
  const args = ['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--image-ref', IMAGE, '--tool-secrets', 'OPENAI_API_KEY']

  test('runs the action’s flow: progress on stderr, the result on stdout', async () => {
    const run = await cli(args)
    expect(run.status).toBe(0)
    expect(run.stderr).toContain('▸ Preflight: token, environment, secrets')
    expect(run.stdout).toBe('llm-litellm-v1 in dev: v1 live, smoke call passed\nhttps://modal.com/apps/acme/dev/deployed/llm-litellm-v1\n')
    expect(run.modal.sessionsStarted).toBe(1)
  })

  test('--json --quiet for scripts; --dry-run changes nothing; --no-rollback keeps a failing version', async () => {
    const dry = await cli([...args, '--dry-run', '--json', '--quiet'])
    expect(dry.stderr).toBe('')
    expect(JSON.parse(dry.stdout)).toMatchObject({ ok: true, outputs: { 'app-name': 'llm-litellm-v1', version: '' } })
    const modal = new FakeModal().deployed('llm-litellm-v1', 'old')
    modal.answerCall = () => 'garbage'
    const kept = await cli([...args, '--no-rollback'], modal)
    expect(kept.status).toBe(1)
    expect(kept.stderr).toContain('✗ ERR_SMOKE_INVALID_RESPONSE')
    expect(modal.versions()).toEqual([1, 2])
  })
})

describe('logs', () => {
  test('streams the app’s lines', async () => {
    const run = await cli(['logs', '--env', 'dev', '--ref', 'llm/litellm@1'], new FakeModal().deployed('llm-litellm-v1', 'a'))
    expect(run).toMatchObject({ status: 0, stdout: 'processor started\nprocessor answered\n' })
    expect(run.modal.requests[0].args.args).toEqual(['app', 'logs', 'llm-litellm-v1', '--env', 'dev', '-n', '100'])
  })

  test('an app never deployed is named; another failure passes the client’s error and exit code through', async () => {
    const missing = await cli(['logs', '--env', 'dev', '--ref', 'ocr/tesseract@2'])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('ERR_FUNCTION_NOT_FOUND: No app ocr-tesseract-v2 in environment dev')
    const broken = new FakeModal().on('modal app logs', () => cliAnswer(1, '', panel('Internal error')))
    const run = await cli(['logs', '--env', 'dev', '--ref', 'llm/litellm@1', '--tail', '5'], broken)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('Internal error')
  })

  test('--follow ends with Ctrl-C: exit 130, no error', async () => {
    const modal = new FakeModal().hang('modal app logs', 'cancelled')
    const run = await cli(['logs', '--env', 'dev', '--ref', 'llm/litellm@1', '--follow'], modal)
    expect(run).toMatchObject({ status: 130, stderr: '' })
    expect(modal.requests[0].args.args).toContain('--follow')
  })
})

describe('run', () => {
  test('--adapter modal calls the deployed run, judged like the smoke call', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'a')
    const run = await cli(
      [
        'run',
        '--ref',
        'llm/litellm@1',
        '--adapter',
        'modal',
        '--env',
        'dev',
        '--version',
        '1',
        '--inputs-json',
        '{"schema":"v1","params":{"x":1}}',
      ],
      modal,
    )
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, mode: 'mock' })
    expect(modal.requests.at(-1)!.args).toMatchObject({ version: 1, payload: { schema: 'v1', mode: 'mock', params: { x: 1 } } })
    modal.answerCall = () => ({
      ok: false,
      schema: 'v1',
      processor: 'llm/litellm@1',
      mode: 'mock',
      error: { type: 'ProcessorError', code: null, message: 'boom', exit_code: 1, stderr_tail: '' },
    })
    const failed = await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--env', 'dev'], modal)
    expect(failed.status).toBe(1)
    expect(failed.stderr).toMatch(/^ERR_SMOKE_FAILED: The processor failed \(ProcessorError\): boom/)
  })

  test('bad envelopes are the action’s smoke-inputs error', async () => {
    for (const json of ['{not json', '[1]', '{"params": 3}', `{"params":{"a":${'['.repeat(20000)}${']'.repeat(20000)}}}`]) {
      const run = await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--env', 'dev', '--inputs-json', json])
      expect(run.status).toBe(1)
      expect(run.stderr).toMatch(/^ERR_INVALID_SMOKE_INPUTS: /)
    }
  })

  test('no client: the message says how to get one', async () => {
    const modal = new FakeModal()
    modal.startFailure = new SessionFailure('client-missing', 'the Modal client could not be imported (ModuleNotFoundError)', '')
    const run = await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--env', 'dev'], modal)
    expect(run.stderr).toMatch(/^ERR_MODAL_CLI_MISSING: .*pip install modal/)
    const lookup = new FakeModal().on('app', () => fails(raised('NotFoundError', "App 'x' not found")))
    expect((await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--env', 'dev'], lookup)).stderr).toMatch(
      /^ERR_FUNCTION_NOT_FOUND/,
    )
  })

  test('without a scripted session the client is looked for on PATH, and its absence said', async () => {
    let stderr = ''
    const io: CliIo = {
      out: () => {},
      err: (text) => (stderr += text),
      env: { PATH: '/nonexistent' },
      cwd: REPO_ROOT,
      actionRoot: REPO_ROOT,
    }
    expect(await main(['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--env', 'dev'], io)).toBe(1)
    expect(stderr).toMatch(/^ERR_MODAL_CLI_MISSING: The modal command is not on PATH/)
  })

  test('--adapter local runs the processor on this machine under the same contract', async () => {
    const run = await cli([
      'run',
      '--ref',
      'llm/litellm@1',
      '--adapter',
      'local',
      '--processor',
      path.join(REFERENCE_PROCESSOR.dir, 'bin', 'processor'),
    ])
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, mode: 'mock', processor: 'llm/litellm@1' })
  })

  test("--adapter local without --inputs-json takes the catalogue's smoke_inputs (replicate/generic@1 takes no chat message)", async () => {
    const run = await cli(['run', '--ref', 'replicate/generic@1', '--adapter', 'local'])
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: true,
      processor: 'replicate/generic@1',
      output: { model: 'replicate/hello-world', status: 'succeeded', input: { text: 'test' } },
    })
  })

  test('--adapter local without --processor needs the catalogue’s local_command', async () => {
    const dir = scratchDir('catalogue-')
    const file = path.join(dir, 'modal-processors.json')
    writeFileSync(file, JSON.stringify({ processors: { 'llm/litellm@1': { image: { oci: IMAGE } } } }))
    const run = await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'local', '--registry', file])
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^ERR_REGISTRY_ENTRY_MISSING: --processor is not given/)
  })
})
