// The modal-processor CLI, bundled from the current src/, against the local Modal emulator.
import { spawn } from 'node:child_process'
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Emulator, OPENAI_KEY, REFERENCE_PROCESSOR, REPLICATE_PROCESSOR, REPO_ROOT } from '../../testing/harness/emulator.mjs'
import { startChatServer } from '../support/chat-server.js'
import { startFakeGitHubApi } from '../support/fake-github-api.js'
import { ACTION_DIR } from './action-under-test.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

const CLI = path.join(ACTION_DIR, 'dist', 'cli.cjs')
// A well-formed image that no test deploys (the local adapter never pulls it).
const NOT_DEPLOYED_IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'0'.repeat(64)}`

interface CliRun {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI; `interruptWhen` sends SIGINT (Ctrl-C) once the output so far satisfies it. */
function cli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; executable?: string; interruptWhen?: (output: string) => boolean } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(options.executable ?? CLI, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let interrupted = false
    const watch = () => {
      if (!interrupted && options.interruptWhen?.(stdout + stderr)) {
        interrupted = true
        child.kill('SIGINT')
      }
    }
    child.stdout.on('data', (c) => {
      stdout += c
      watch()
    })
    child.stderr.on('data', (c) => {
      stderr += c
      watch()
    })
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

/** A consumer repository: a processor catalogue naming the image the emulator holds, and the processor's files. */
function consumerRepo(imageRef: string, extra: object = {}): string {
  const dir = scratchDir('consumer-')
  // local_command stays inside the catalogue's folder: the processor is part of the repository.
  cpSync(REFERENCE_PROCESSOR.dir, path.join(dir, 'processor'), { recursive: true })
  const catalogue = {
    processors: {
      [REFERENCE_PROCESSOR.ref]: {
        image: { oci: imageRef },
        tool_secrets: ['OPENAI_API_KEY', 'LITELLM_API_BASE?'],
        local_command: 'processor/bin/processor',
        ...extra,
      },
    },
  }
  writeFileSync(path.join(dir, 'modal-processors.json'), JSON.stringify(catalogue, null, 2))
  return dir
}

describe('modal-processor name', () => {
  test('prints the canonical app name', async () => {
    expect(await cli(['name', 'llm/litellm@1'])).toMatchObject({ status: 0, stdout: 'llm-litellm-v1\n' })
  })

  test('a bad ref fails with the action’s code and message', async () => {
    const run = await cli(['name', 'llm/LiteLLM@1'])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain("ERR_INVALID_PROCESSOR_REF: Invalid processor ref 'llm/LiteLLM@1': contains upper-case letters.")
  })

  test('usage errors exit 2 like click, and every command has --help', async () => {
    expect((await cli(['nmae', 'x'])).status).toBe(2)
    expect((await cli(['deploy', '--env'])).status).toBe(2)
    for (const command of ['deploy', 'logs', 'run', 'name']) {
      const help = await cli([command, '--help'])
      expect(help.status).toBe(0)
      expect(help.stdout).toContain(`Usage: modal-processor ${command}`)
    }
  })
})

describe('modal-processor with the emulator', () => {
  const emulator = new Emulator()
  const imageRef = emulator.pushReferenceImage()
  emulator.prepareEnvironment('dev')
  const repo = consumerRepo(imageRef)
  const env = emulator.env

  test('deploy resolves image and secrets from the processor catalogue: a ref alone is enough', async () => {
    const run = await cli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1'], { env, cwd: repo })
    expect(run.stderr).toContain('▸ Preflight: token, environment, secrets')
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('llm-litellm-v1 in dev: v1 live, smoke call passed')
    expect(run.stdout).toContain('https://modal.com/apps/acme/dev/deployed/llm-litellm-v1')
    expect(run.stdout + run.stderr).not.toContain(OPENAI_KEY)
  })

  test('deploy --json for scripts; --dry-run changes nothing', async () => {
    const dry = await cli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--dry-run', '--json', '--quiet'], { env, cwd: repo })
    expect(dry.status).toBe(0)
    expect(dry.stderr).toBe('')
    const result = JSON.parse(dry.stdout)
    expect(result).toMatchObject({ ok: true, outputs: { 'app-name': 'llm-litellm-v1', version: '', 'previous-version': '1' } })
  })

  test('logs shows what the deployed processor logged', async () => {
    const run = await cli(['logs', '--env', 'dev', '--ref', 'llm/litellm@1', '--tail', '50'], { env, cwd: repo })
    expect(run.status).toBe(0)
    expect(run.stdout.length).toBeGreaterThan(0)
  })

  test('run --adapter modal calls the deployed function', async () => {
    const envelope = '{"schema":"v1","params":{"messages":[{"role":"user","content":"ping"}]}}'
    const run = await cli(
      ['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--mode', 'mock', '--env', 'dev', '--inputs-json', envelope],
      { env },
    )
    expect(run.status).toBe(0)
    const result = JSON.parse(run.stdout)
    expect(result).toMatchObject({ ok: true, mode: 'mock', processor: 'llm/litellm@1' })
    expect(JSON.stringify(result.output)).toContain('ping')
  })

  test('one Modal session per command: run --adapter modal loads the client once', async () => {
    const before = emulator.clientLoads()
    const run = await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--env', 'dev'], { env })
    expect(run.status).toBe(0)
    expect(emulator.clientLoads() - before).toBe(1)
  })

  test('logs --follow streams until Ctrl-C, which ends the session and leaves nothing running', async () => {
    const run = await cli(['logs', '--env', 'dev', '--ref', 'llm/litellm@1', '--follow'], {
      env,
      cwd: repo,
      interruptWhen: (output) => output.length > 0,
    })
    expect(run.status).toBe(130)
    expect(run.stdout.length).toBeGreaterThan(0)
    expect(run.stderr).toBe('')
    expect(await emulator.processesLeftRunning()).toEqual([])
  })

  test('Ctrl-C on a hung deploy stops the session: ERR_CANCELLED, nothing running behind the CLI', async () => {
    emulator.addFault('deploy', 'hang', { times: 1 })
    const run = await cli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1'], {
      env,
      cwd: repo,
      interruptWhen: (output) => output.includes('Running: modal deploy'),
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('ERR_CANCELLED')
    expect(await emulator.processesLeftRunning()).toEqual([])
  })

  test('run --adapter modal for an app never deployed: function not found', async () => {
    const run = await cli(['run', '--ref', 'ocr/tesseract@2', '--adapter', 'modal', '--env', 'dev'], { env })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('ERR_FUNCTION_NOT_FOUND')
  })

  test('logs of an app never deployed names the problem', async () => {
    const run = await cli(['logs', '--env', 'dev', '--ref', 'ocr/tesseract@2'], { env })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('ERR_FUNCTION_NOT_FOUND')
  })

  // The client prints its errors in panels 1,000 columns wide: none reaches the terminal, as a panel or as a line.
  const expectTerminalText = (stderr: string) => {
    expect(stderr).not.toMatch(/[\u2500-\u257f]/)
    for (const line of stderr.split('\n')) expect(line.length).toBeLessThanOrEqual(200)
  }

  test('logs in an environment that does not exist: the environment is named, with --env and how to list or create one', async () => {
    const run = await cli(['logs', '--ref', 'llm/litellm@1', '--env', 'prod'], { env, cwd: repo })
    expect(run.status).toBe(1)
    expect(run.stderr).toBe(
      "ERR_ENVIRONMENT_NOT_FOUND: modal app logs failed: Environment 'prod' not found\n" +
        'Fix: Give an existing environment with --env (modal environment list shows them), or create this one: modal environment create prod.\n',
    )
    expectTerminalText(run.stderr)
  })

  test('run --adapter modal in an environment that does not exist: the environment, not the function, and no action input', async () => {
    const run = await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--env', 'prod'], { env })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^ERR_ENVIRONMENT_NOT_FOUND: .*Environment 'prod' not found\n/)
    expect(run.stderr).toContain(
      'Fix: Give an existing environment with --env (modal environment list shows them), or create this one: modal environment create prod.',
    )
    expect(run.stderr).not.toMatch(/ERR_FUNCTION_NOT_FOUND|deploy: true|<env>/)
    expectTerminalText(run.stderr)
  })

  test('a typo in a ref: an invalid one is only invalid, a near miss names the ref it was meant to be', async () => {
    const invalid = await cli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@v1', '--json', '--quiet'], { env, cwd: repo })
    expect(invalid.status).toBe(1)
    const result = JSON.parse(invalid.stdout)
    expect(result.outputs['error-code']).toBe('ERR_INVALID_PROCESSOR_REF')
    expect(result.errors.map((e: { code: string }) => e.code)).toEqual(['ERR_INVALID_PROCESSOR_REF'])
    const near = await cli(['deploy', '--env', 'dev', '--ref', 'llm/litelm@1'], { env, cwd: repo })
    expect(near.status).toBe(1)
    expect(near.stderr).toContain(
      '✗ ERR_REGISTRY_ENTRY_MISSING: no --image-ref was given and modal-processors.json has no entry processors["llm/litelm@1"]. Did you mean \'llm/litellm@1\'?',
    )
    expect(near.stderr).toContain('Fix: Give --image-ref (and --tool-secrets), or add llm/litelm@1 to the processor catalogue (--catalogue')
    const local = await cli(['run', '--ref', 'llm/litelm@1', '--adapter', 'local'], { cwd: repo })
    expect(local.stderr).toMatch(/^ERR_REGISTRY_ENTRY_MISSING: .*Did you mean 'llm\/litellm@1'\?\nFix: Give --processor PATH/)
    for (const run of [invalid, near, local]) expectTerminalText(run.stderr)
  })

  test('deploy of a ref missing from the catalogue names the file and the field', async () => {
    const run = await cli(['deploy', '--env', 'dev', '--ref', 'ocr/tesseract@2'], { env, cwd: repo })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('ERR_REGISTRY_ENTRY_MISSING')
    expect(run.stderr).toContain('modal-processors.json has no entry processors["ocr/tesseract@2"]')
  })

  test('an invalid catalogue entry is a clear error naming the field', async () => {
    const broken = consumerRepo(imageRef, { image: { digest: 'x' } })
    const run = await cli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1'], { env, cwd: broken })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('ERR_INVALID_REGISTRY')
    expect(run.stderr).toMatch(/modal-processors\.json: processors\.llm\/litellm@1\.image/)
  })

  test('deploy to an environment without the secrets: every missing secret, the same code as the action', async () => {
    emulator.modal('environment', 'create', 'staging')
    const run = await cli(['deploy', '--env', 'staging', '--ref', 'llm/litellm@1'], { env, cwd: repo })
    expect(run.status).toBe(1)
    expect(run.stderr.match(/ERR_MISSING_SECRET/g)).toHaveLength(2)
    expect(run.stderr).toContain('modal secret create OPENAI_API_KEY')
  })
})

describe('modal-processor run --adapter local', () => {
  test('mock mode runs the reference processor on this machine under the contract', async () => {
    const repo = consumerRepo(NOT_DEPLOYED_IMAGE)
    const run = await cli(
      [
        'run',
        '--ref',
        'llm/litellm@1',
        '--adapter',
        'local',
        '--mode',
        'mock',
        '--inputs-json',
        '{"schema":"v1","params":{"messages":[{"role":"user","content":"local?"}]}}',
      ],
      { cwd: repo },
    )
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, schema: 'v1', mode: 'mock' })
    expect(run.stdout).toContain('local?')
  })

  test('real mode calls the provider (a loopback server) with the key from the environment', async () => {
    const server = await startChatServer()
    try {
      const repo = consumerRepo(NOT_DEPLOYED_IMAGE)
      const run = await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'local', '--mode', 'real'], {
        cwd: repo,
        env: { OPENAI_API_KEY: OPENAI_KEY, LITELLM_API_BASE: server.baseUrl },
      })
      expect(run.status).toBe(0)
      expect(JSON.parse(run.stdout).output.choices[0].message.content).toBe('hello from the loopback provider')
      expect(server.requests).toHaveLength(1)
      expect(server.requests[0]).toMatchObject({ path: '/v1/chat/completions', authorization: `Bearer ${OPENAI_KEY}` })
      expect(run.stdout + run.stderr).not.toContain(OPENAI_KEY)
    } finally {
      await server.close()
    }
  })

  test('works through a bin symlink, as npx and npm install run it', async () => {
    const bin = scratchDir('bin-')
    symlinkSync(CLI, path.join(bin, 'modal-processor'))
    const run = await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'local'], {
      cwd: consumerRepo(NOT_DEPLOYED_IMAGE),
      executable: path.join(bin, 'modal-processor'),
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, mode: 'mock' })
  })

  test('a bad envelope is the action’s smoke-inputs error, not a crash', async () => {
    for (const bad of ['null', '"x"', '{"params":[1]}', '{nope']) {
      const run = await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'local', '--inputs-json', bad], {
        cwd: consumerRepo(NOT_DEPLOYED_IMAGE),
      })
      expect({ bad, status: run.status }).toEqual({ bad, status: 1 })
      expect(run.stderr).toMatch(/^ERR_INVALID_SMOKE_INPUTS: /)
    }
  })

  test('real mode without a key fails with a structured processor error', async () => {
    const repo = consumerRepo(NOT_DEPLOYED_IMAGE)
    const run = await cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'local', '--mode', 'real'], {
      cwd: repo,
      env: { OPENAI_API_KEY: '' },
    })
    expect(run.status).toBe(1)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { type: 'ProcessorError' } })
    expect(run.stderr).toMatch(/^ERR_SMOKE_FAILED: The processor failed \(ProcessorError/)
  })
})

describe('modal-processor in a workflow step', () => {
  test('Ctrl-C while matrix --since-last-success waits on GitHub: the stop-commands fence is closed, later commands work', async () => {
    const api = await startFakeGitHubApi()
    api.override(() => 'no answer')
    try {
      const child = spawn(process.execPath, [CLI, 'matrix', '--since-last-success'], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          GITHUB_ACTIONS: 'true',
          GITHUB_API_URL: api.url,
          GITHUB_REPOSITORY: 'acme/processors',
          GITHUB_WORKFLOW_REF: 'acme/processors/.github/workflows/deploy-on-push.yml@refs/heads/main',
          GITHUB_REF: 'refs/heads/main',
          GITHUB_TOKEN: 'ghs_token',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (c) => (stderr += c))
      const asked = setInterval(() => api.requests.length > 0 && child.kill('SIGINT'), 5)
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve))
      clearInterval(asked)
      expect(api.requests).toHaveLength(1)
      expect(status).toBe(130)
      const fence = /^::stop-commands::([0-9a-f-]{36})\n/.exec(stderr)?.[1]
      expect(stderr).toBe(`::stop-commands::${fence}\nmodal-processor: cancelled by SIGINT.\n::${fence}::\n`)
    } finally {
      await api.close()
    }
  })
})

describe('the committed processor catalogue', () => {
  test('pins the digest the reference processor really has, so the README’s examples work as written', () => {
    const emulator = new Emulator()
    const pushed = emulator.pushReferenceImage()
    const committed = JSON.parse(readFileSync(path.join(REPO_ROOT, 'modal-processors.json'), 'utf8'))
    expect(committed.processors['llm/litellm@1'].image.oci).toBe(pushed)
  })

  test('pins the digest the Replicate reference processor really has', () => {
    const pushed = new Emulator().pushImage(REPLICATE_PROCESSOR, { visibility: 'public' })
    const committed = JSON.parse(readFileSync(path.join(REPO_ROOT, 'modal-processors.json'), 'utf8'))
    expect(committed.processors['replicate/generic@1'].image.oci).toBe(pushed)
  })
})
