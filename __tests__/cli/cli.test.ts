// The CLI in process: every command, its help and its usage errors, with captured streams and a scripted Modal session.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { CliIo } from '../../src/cli/io.js'
import { main } from '../../src/cli/main.js'
import { COMMANDS, commandHelp } from '../../src/cli/options.js'
import { SessionFailure } from '../../src/modal/session.js'
import { REFERENCE_PROCESSOR, REPO_ROOT } from '../../testing/harness/emulator.mjs'
import { runCli } from '../support/cli-in-process.js'
import { cli as cliAnswer, contractAnswer, fails, FakeModal, panel, raised } from '../support/fake-modal.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

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
    // deploy's values of a fixed set: named by the flag, with what it takes, before the flow runs (not ERR_INVALID_INPUT).
    [['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--mode', 'fake'], "--mode must be mock or real, got 'fake'."],
    [
      ['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--deploy-strategy', 'bogus'],
      "--deploy-strategy must be rolling or recreate, got 'bogus'.",
    ],
    [
      ['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--rollback-strategy', 'fast'],
      "--rollback-strategy must be rolling or recreate, got 'fast'.",
    ],
    [
      ['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--rollout', 'verifyfirst'],
      "--rollout must be live or verify-first, got 'verifyfirst'.",
    ],
    [['deploy', '--env', 'dev', '--refs', 'a/b@1,c/d@1', '--rollout', ''], "--rollout must be live or verify-first, got ''."],
  ])('%j is a usage error (exit 2): %s', async (argv, text) => {
    const modal = new FakeModal()
    const run = await cli(argv, modal)
    expect(modal.requests).toEqual([])
    expect(run.stderr).not.toContain('ERR_')
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

  test('--rollout verify-first: a failing release is refused as the candidate, the live version stays', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'old')
    modal.answerCall = () => 'garbage'
    const run = await cli([...args, '--rollout', 'verify-first', '--json', '--quiet'], modal)
    expect(run.status).toBe(1)
    const result = JSON.parse(run.stdout) as { outputs: Record<string, string>; errors: { code: string; fix: string }[] }
    expect(result.outputs).toMatchObject({ rollout: 'verify-first', 'candidate-status': 'failed', version: '1' })
    expect(result.errors.map((e) => e.code)).toEqual(['ERR_SMOKE_INVALID_RESPONSE', 'ERR_CANDIDATE_REFUSED'])
    expect(result.errors[1].fix).toContain('(--rollout verify-first)')
    expect(modal.versions()).toEqual([1])
    expect([...modal.stopped]).toEqual(['llm-litellm-v1-candidate'])
    const bad = await cli([...args, '--rollout', 'canary'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain("Error: --rollout must be live or verify-first, got 'canary'.")
  })
})

describe('deploy with the catalogue’s smoke tests', () => {
  // replicate/generic@1's two smoke tests in the repository's catalogue, against a processor that answers as its mock does.
  const replicate = (status: string) => {
    const modal = new FakeModal()
    modal.secrets.set('dev/REPLICATE_API_TOKEN', ['REPLICATE_API_TOKEN'])
    modal.answerCall = (payload) => {
      const { model, input } = (payload as { params: { model: string; input: object } }).params
      return { ...(contractAnswer(payload) as object), output: { model, status, input } }
    }
    return modal
  }
  const args = ['deploy', '--env', 'dev', '--ref', 'replicate/generic@1', '--json', '--quiet']

  test('--json lists each test with its verdict and latency', async () => {
    const run = await cli(args, replicate('succeeded'))
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout).smokeTests).toEqual([
      { name: 'hello-world', status: 'passed', latencyMs: expect.any(Number), code: null, detail: null },
      { name: 'input-passed-through', status: 'passed', latencyMs: expect.any(Number), code: null, detail: null },
    ])
  })

  test('a wrong answer fails with the test and the path, in the CLI’s words', async () => {
    const run = await cli(args.slice(0, -2), replicate('failed'))
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      'ERR_SMOKE_EXPECTATION: Smoke test "hello-world": the output does not contain what expect says, at $.status: expected "succeeded", got "failed".',
    )
  })
})

describe('logs', () => {
  test('streams the app’s lines', async () => {
    const run = await cli(['logs', '--env', 'dev', '--ref', 'llm/litellm@1'], new FakeModal().deployed('llm-litellm-v1', 'a'))
    expect(run).toMatchObject({ status: 0, stdout: 'processor started\nprocessor answered\n' })
    expect(run.modal.requests[0].args.args).toEqual(['app', 'logs', 'llm-litellm-v1', '--env', 'dev', '-n', '100'])
  })

  test('an app never deployed is named; another failure is the client’s, classified, its panel reduced to its text', async () => {
    const missing = await cli(['logs', '--env', 'dev', '--ref', 'ocr/tesseract@2'])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('ERR_FUNCTION_NOT_FOUND: No app ocr-tesseract-v2 in environment dev')
    const broken = new FakeModal().on('modal app logs', () => cliAnswer(1, '', panel('Internal error')))
    const run = await cli(['logs', '--env', 'dev', '--ref', 'llm/litellm@1', '--tail', '5'], broken)
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^ERR_PREFLIGHT_FAILED: modal app logs failed: Internal error\nFix: /)
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

  test("--adapter local without --inputs-json takes the catalogue's first smoke test's params (replicate/generic@1 takes no chat message)", async () => {
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
    const run = await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'local', '--catalogue', file])
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^ERR_REGISTRY_ENTRY_MISSING: --processor is not given/)
  })
})

describe('one error vocabulary: every failure is ERR_*, a one-line message and a fix in the CLI’s words', () => {
  const ref = 'llm/litellm@1'
  const onModal = (env: string, ...more: string[]) => ['run', '--ref', ref, '--adapter', 'modal', '--env', env, ...more]
  const deployTo = (env: string) => ['deploy', '--env', env, '--ref', ref, '--image-ref', IMAGE, '--tool-secrets', 'OPENAI_API_KEY']
  const deployed = () => new FakeModal().deployed('llm-litellm-v1', 'a')
  const tokenless = (token: 'missing' | 'rejected') => () => Object.assign(new FakeModal(), { token })
  // What only the action has: the CLI's fixes never send anyone looking for these.
  const ACTION_ONLY =
    /(?<![-\w])(modal-environment|processor-ref|catalogue-file|registry-file|smoke-inputs|modal-version|[a-z]+-timeout)\b|deploy: true|step env|\bthe step\b/

  /** The failure as printed: by main (`ERR_…: …` / `Fix: …`) or by deploy's flow (`✗ ERR_…: …` / `    Fix: …`). */
  function failure(stderr: string) {
    return {
      code: /^(?:✗ )?(ERR_[A-Z_]+): /m.exec(stderr)?.[1],
      message: /^(?:✗ )?ERR_[A-Z_]+: (.*)$/m.exec(stderr)?.[1] ?? '',
      fix: /^ *Fix: (.*)$/m.exec(stderr)?.[1] ?? '',
    }
  }

  test.each([
    // The environment does not exist.
    [
      'deploy, no environment',
      deployTo('prod'),
      () => new FakeModal(),
      'ERR_ENVIRONMENT_NOT_FOUND',
      ['--env', 'modal environment create prod'],
    ],
    [
      'logs, no environment',
      ['logs', '--env', 'prod', '--ref', ref],
      deployed,
      'ERR_ENVIRONMENT_NOT_FOUND',
      ['--env', 'modal environment create prod', 'modal environment list'],
    ],
    ['run modal, no environment', onModal('prod'), deployed, 'ERR_ENVIRONMENT_NOT_FOUND', ['--env', 'modal environment create prod']],
    // The app was never deployed there.
    [
      'logs, no app',
      ['logs', '--env', 'dev', '--ref', ref],
      () => new FakeModal(),
      'ERR_FUNCTION_NOT_FOUND',
      ['modal-processor deploy --ref llm/litellm@1 --env dev'],
    ],
    [
      'run modal, no app',
      onModal('dev'),
      () => new FakeModal(),
      'ERR_FUNCTION_NOT_FOUND',
      ['modal-processor deploy --ref llm/litellm@1 --env dev'],
    ],
    // The app is there, not the version asked for.
    [
      'run modal, no such version',
      onModal('dev', '--version', '7'),
      deployed,
      'ERR_FUNCTION_NOT_FOUND',
      ['modal app history llm-litellm-v1 --env dev', '--version'],
    ],
    // No token, or one the server refuses.
    ['deploy, no token', deployTo('dev'), tokenless('missing'), 'ERR_MODAL_TOKEN_MISSING', ['modal token new', 'MODAL_TOKEN_ID']],
    ['logs, no token', ['logs', '--env', 'dev', '--ref', ref], tokenless('missing'), 'ERR_MODAL_TOKEN_MISSING', ['modal token new']],
    ['run modal, no token', onModal('dev'), tokenless('missing'), 'ERR_MODAL_TOKEN_MISSING', ['modal token new']],
    ['deploy, token refused', deployTo('dev'), tokenless('rejected'), 'ERR_MODAL_TOKEN_REJECTED', ['modal token info']],
    [
      'logs, token refused',
      ['logs', '--env', 'dev', '--ref', ref],
      tokenless('rejected'),
      'ERR_MODAL_TOKEN_REJECTED',
      ['modal token info'],
    ],
    ['run modal, token refused', onModal('dev'), tokenless('rejected'), 'ERR_MODAL_TOKEN_REJECTED', ['modal token info']],
    // Modal does not answer in time.
    [
      'logs, no answer',
      ['logs', '--env', 'dev', '--ref', ref],
      () => deployed().hang('modal app logs'),
      'ERR_PREFLIGHT_TIMEOUT',
      ['run it again'],
    ],
    // Values that are not names at all.
    ['logs, bad environment name', ['logs', '--env', 'en-x', '--ref', ref], deployed, 'ERR_INVALID_ENVIRONMENT', ['e.g. dev']],
    ['run modal, bad app name', onModal('dev', '--app-name', 'a b'), deployed, 'ERR_INVALID_INPUT', ['modal-processor run --help']],
    ['matrix, no catalogue', ['matrix', '--catalogue', 'nope.json'], () => new FakeModal(), 'ERR_INVALID_REGISTRY', ['--catalogue']],
  ])('%s', async (_, argv, modal, code, fixNames) => {
    const run = await cli(argv as string[], (modal as () => FakeModal)())
    const printed = failure(run.stderr)
    expect(run.status).toBe(argv[0] === 'matrix' ? 2 : 1)
    expect(printed.code).toBe(code)
    for (const name of fixNames as string[]) expect(printed.fix).toContain(name)
    expect(printed.fix).not.toMatch(ACTION_ONLY)
    expect(printed.fix).not.toMatch(/<(env|ref|app|command)>/)
    // No panel reaches the terminal: no box, no line wider than a terminal's.
    expect(run.stderr).not.toMatch(/[╭╮╰╯]|─{4,}/)
    for (const line of run.stderr.split('\n')) expect(line.length).toBeLessThanOrEqual(200)
  })

  test('logs names the environment that is missing, in one line', async () => {
    const run = await cli(['logs', '--ref', ref, '--env', 'prod'], deployed())
    expect(run.stderr).toBe(
      "ERR_ENVIRONMENT_NOT_FOUND: modal app logs failed: Environment 'prod' not found\n" +
        'Fix: Give an existing environment with --env (modal environment list shows them), or create this one: modal environment create prod.\n',
    )
  })

  test('an invalid ref is the only error, in every command that takes one', async () => {
    for (const argv of [
      ['deploy', '--env', 'dev', '--ref', 'llm/litellm@v1'],
      ['deploy', '--env', 'dev', '--ref', 'llm/litellm@v1', '--json', '--quiet'],
      ['logs', '--env', 'dev', '--ref', 'llm/litellm@v1'],
      ['logs', '--env', 'dev', '--ref', 'llm/litellm@v1', '--app-name', 'llm-litellm-v1'],
      ['run', '--ref', 'llm/litellm@v1', '--adapter', 'modal', '--env', 'dev'],
      ['run', '--ref', 'llm/litellm@v1', '--adapter', 'local'],
      ['name', 'llm/litellm@v1'],
    ]) {
      const run = await cli(argv)
      const codes = [...(run.stdout + run.stderr).matchAll(/ERR_[A-Z_]+/g)].map((m) => m[0])
      expect({ argv, status: run.status, codes: [...new Set(codes)] }).toEqual({ argv, status: 1, codes: ['ERR_INVALID_PROCESSOR_REF'] })
    }
    const json = JSON.parse((await cli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@v1', '--json', '--quiet'])).stdout)
    expect(json.outputs['error-code']).toBe('ERR_INVALID_PROCESSOR_REF')
    expect(json.errors).toEqual([
      expect.objectContaining({ code: 'ERR_INVALID_PROCESSOR_REF', fix: expect.stringContaining('e.g. llm/litellm@1') }),
    ])
  })

  test('an unknown ref: did you mean the catalogue’s nearest, with a fix that names the flags', async () => {
    const deploy = await cli(['deploy', '--env', 'dev', '--ref', 'llm/litelm@1'])
    expect(failure(deploy.stderr)).toEqual({
      code: 'ERR_REGISTRY_ENTRY_MISSING',
      message:
        'no --image-ref was given and modal-processors.json has no entry processors["llm/litelm@1"]. Did you mean \'llm/litellm@1\'?',
      fix: 'Give --image-ref (and --tool-secrets), or add llm/litelm@1 to the processor catalogue (--catalogue, default modal-processors.json); check --ref for a typo.',
    })
    const local = await cli(['run', '--ref', 'replicate/generik@1', '--adapter', 'local'])
    expect(failure(local.stderr)).toMatchObject({
      code: 'ERR_REGISTRY_ENTRY_MISSING',
      message: expect.stringContaining("Did you mean 'replicate/generic@1'?"),
      fix: expect.stringMatching(/^Give --processor PATH, or add replicate\/generik@1 with a local_command/),
    })
  })

  test('the local adapter’s fixes speak of this machine: no action input, no modal app logs', async () => {
    const failed = await runCli(['run', '--ref', ref, '--adapter', 'local', '--mode', 'real'], { env: { OPENAI_API_KEY: '' } })
    const printed = failure(failed.stderr)
    expect(printed.code).toBe('ERR_SMOKE_FAILED')
    expect(printed.fix).toContain("export what its secrets hold in this shell's environment")
    expect(printed.fix).not.toMatch(/modal app logs|modal-processor logs|TOOL_SECRETS/)
    expect(printed.fix).not.toMatch(ACTION_ONLY)
    const broken = await cli(['run', '--ref', ref, '--adapter', 'local', '--processor', path.join(REPO_ROOT, 'README.md')])
    expect(failure(broken.stderr).fix).not.toMatch(/modal app logs|modal_app\.py/)
  })

  test('a processor that fails on Modal: its logs through modal-processor, with the ref and environment', async () => {
    const modal = deployed()
    modal.answerCall = () => ({
      ok: false,
      schema: 'v1',
      processor: ref,
      mode: 'mock',
      error: { type: 'ProcessorError', code: null, message: 'boom', exit_code: 1, stderr_tail: '' },
    })
    const printed = failure((await cli(onModal('dev'), modal)).stderr)
    expect(printed).toMatchObject({
      code: 'ERR_SMOKE_FAILED',
      fix: expect.stringContaining('modal-processor logs --ref llm/litellm@1 --env dev'),
    })
  })

  test('no client on this machine: how to install it here, not an action input', async () => {
    const modal = new FakeModal()
    modal.startFailure = new SessionFailure('client-missing', 'the Modal client could not be imported (ModuleNotFoundError)', '')
    const printed = failure((await cli(onModal('dev'), modal)).stderr)
    expect(printed.code).toBe('ERR_MODAL_CLI_MISSING')
    expect(printed.fix).toContain('pip install modal')
    expect(printed.fix).not.toMatch(ACTION_ONLY)
  })
})
