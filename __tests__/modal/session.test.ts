// The Modal session's protocol and the client's policy over it, against a scripted session process
// (fixtures/fake-session.py): every way the process can misbehave ends in a titled error, never a hang.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ActionError } from '../../src/rules/errors.js'
import { ModalClient } from '../../src/modal/client.js'
import { ModalSession, SessionFailure } from '../../src/modal/session.js'
import { cancelRunningProcesses } from '../../src/platform/process.js'
import { prestartSession, SessionProcess, sessionOptions } from '../../src/modal/session-process.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

// An action folder whose modal-session/session.py is the scripted fake.
const actionRoot = scratchDir('fake-action-')
mkdirSync(path.join(actionRoot, 'modal-session'))
copyFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'fake-session.py'), path.join(actionRoot, 'modal-session', 'session.py'))
const installation = { modalPath: '/bin/sh', python: 'python3' }
let marker = 0

interface Script {
  handshake?: unknown
  answers?: Record<string, unknown[]>
  stderr?: string
}

/** Each test's processes carry their own marker in their environment, to find any left running. */
function envFor(script: Script) {
  return { PATH: process.env.PATH, FAKE_SESSION: JSON.stringify(script), SESSION_TEST_MARKER: `marker-${process.pid}-${++marker}` }
}

function startFake(script: Script) {
  const env = envFor(script)
  return { env, process: new SessionProcess(sessionOptions(installation, env, actionRoot)) }
}

function leftRunning(env: { SESSION_TEST_MARKER: string }): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`SESSION_TEST_MARKER=${env.SESSION_TEST_MARKER}\0`) &&
          !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
        )
      } catch {
        return false
      }
    })
    .map(Number)
}

/** Whether `check` comes true within a generous deadline (processes killed on a loaded machine take a while to go). */
async function eventually(check: () => boolean, deadlineMs = 30000): Promise<boolean> {
  const deadline = Date.now() + deadlineMs
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  return check()
}

const timings: string[] = []
const onTiming = (what: string) => timings.push(what)

/** What the promise was rejected with, which must be an instance of `type`. */
async function rejection<T>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise
  } catch (error) {
    if (error instanceof type) return error
    throw error
  }
  throw new Error(`expected a rejection with ${type.name}`)
}
const failureOf = (promise: Promise<unknown>) => rejection(promise, SessionFailure)
const actionErrorOf = (promise: Promise<unknown>) => rejection(promise, ActionError)

describe('the session protocol', () => {
  test('a handshake, then requests answered in order with what the client returned or raised', async () => {
    const raised = { type: 'NotFoundError', chain: ['modal.exception.NotFoundError', 'modal.exception.Error'], message: 'App not found' }
    const { process: started } = startFake({ answers: { app: [{ value: { app_id: 'ap-1' } }, { raised }] } })
    const session = await ModalSession.connect(started, 10000, onTiming)
    expect(session.clientVersion).toBe('1.5.4')
    expect(await session.request('app', { name: 'a', environment: 'dev' }, { timeoutMs: 10000 })).toEqual({
      ok: true,
      value: { app_id: 'ap-1' },
    })
    expect(await session.request('app', { name: 'b', environment: 'dev' }, { timeoutMs: 10000 })).toEqual({
      ok: false,
      raised: { ...raised, stage: null },
    })
    expect(timings).toEqual(expect.arrayContaining(['session start', 'app']))
    await session.close()
  })

  test('every line a request printed reaches its listener before the request resolves', async () => {
    const cli = { exit_code: 0, stdout: '', stderr: '' }
    const { process: started } = startFake({ answers: { cli: [{ value: cli, print: 5000 }] } })
    const session = await ModalSession.connect(started, 10000, onTiming)
    const lines: string[] = []
    await session.request(
      'cli',
      { args: ['app', 'logs'] },
      { timeoutMs: 10000, onLine: (line, stream) => stream === 'stdout' && lines.push(line) },
    )
    expect(lines).toHaveLength(5000)
    expect(lines.at(-1)).toBe('line 4999')
    await session.close()
  })

  test.each([
    ['dies mid-request', 'die', /exited \(code 3\)/],
    ['writes garbage on the protocol pipe', 'garbage', /not a protocol line on the protocol pipe: "Traceback/],
    ['closes the protocol pipe', 'close', /the Modal session closed its protocol pipe/],
  ])('a session that %s fails the request with its last output, and is gone', async (_, step, message) => {
    const { env, process: started } = startFake({ answers: { environment: [step] }, stderr: 'client warming up' })
    const session = await ModalSession.connect(started, 10000, onTiming)
    const failure = await failureOf(session.request('environment', { name: 'dev' }, { timeoutMs: 10000 }))
    expect(failure.kind).toBe('died')
    expect(failure.message).toMatch(message)
    expect(failure.stderrTail).toContain('fake session: environment request 1')
    expect(await eventually(() => leftRunning(env).length === 0)).toBe(true)
  })

  test('an answer that does not fit the schema is invalid, naming the request', async () => {
    const { process: started } = startFake({ answers: { call: ['invalid'] } })
    const session = await ModalSession.connect(started, 10000, onTiming)
    const failure = await failureOf(session.request('call', { app: 'a' }, { timeoutMs: 10000 }))
    expect(failure.kind).toBe('invalid')
    expect(failure.message).toContain("the Modal session's answer to call does not fit the protocol")
  })

  test('a value of the wrong shape for its operation is invalid too', async () => {
    const { process: started } = startFake({ answers: { app: [{ value: { id: 3 } }] } })
    const session = await ModalSession.connect(started, 10000, onTiming)
    const failure = await failureOf(session.request('app', { name: 'a', environment: 'dev' }, { timeoutMs: 10000 }))
    expect(failure.message).toContain('has a value that does not fit app')
  })

  test.each([
    ['an answer', { value: { function_call_id: '--json', result: {} } }],
    [
      'a failed call',
      {
        raised: { type: 'E', chain: [], message: 'x', stage: 'call' },
        function_call: {
          function_call_id: 'fc-1\n::stop-commands::x',
          timed_out: false,
          cancelled: false,
          cancel_raised: null,
          stopped_by: null,
        },
      },
    ],
  ])(
    "a function-call id that is not one of Modal's (in %s) is refused: it would become an argument and a summary cell",
    async (_where, answer) => {
      const { process: started } = startFake({ answers: { call: [answer] } })
      const session = await ModalSession.connect(started, 10000, onTiming)
      const failure = await failureOf(session.request('call', { app: 'a' }, { timeoutMs: 10000 }))
      expect(failure.kind).toBe('invalid')
    },
  )

  test('a request past its deadline kills the whole process group', async () => {
    const { env, process: started } = startFake({ answers: { call: ['hang'] } })
    const session = await ModalSession.connect(started, 10000, onTiming)
    const failure = await failureOf(session.request('call', { app: 'a' }, { timeoutMs: 500 }))
    expect(failure.kind).toBe('timeout')
    expect(failure.message).toBe('call did not answer within 1s')
    expect(await eventually(() => leftRunning(env).length === 0)).toBe(true)
  })

  test.each([
    [
      'a handshake of another protocol version',
      { handshake: { protocol: 2, python: '3', client_version: null, import_error: null } },
      'invalid',
      /protocol 2; this action speaks protocol 1/,
    ],
    ['garbage instead of a handshake', { handshake: 'garbage' }, 'died', /not a protocol line/],
    ['an exit before the handshake', { handshake: 'exit' }, 'died', /exited \(code 1\)/],
    [
      'a client that cannot be imported',
      {
        handshake: {
          protocol: 1,
          python: '3',
          client_version: null,
          import_error: { type: 'ModuleNotFoundError', chain: [], message: "No module named 'modal'", stage: null },
        },
      },
      'client-missing',
      /could not be imported \(ModuleNotFoundError: No module named 'modal'\)/,
    ],
  ])('%s fails the start', async (_, script, kind, message) => {
    const failure = await failureOf(ModalSession.connect(startFake(script as Script).process, 10000, onTiming))
    expect(failure.kind).toBe(kind)
    expect(failure.message).toMatch(message)
  })

  test('prestarted from the modal script on PATH (its interpreter), or not at all without one', async () => {
    expect(prestartSession({ PATH: '/nonexistent' }, actionRoot)).toBeNull()
    const bin = scratchDir('modal-bin-')
    writeFileSync(path.join(bin, 'modal'), '#!/usr/bin/env python3\n', { mode: 0o755 })
    const started = prestartSession({ ...envFor({}), PATH: `${bin}:${process.env.PATH}` }, actionRoot)!
    const session = await ModalSession.connect(started, 10000, onTiming)
    expect(session.clientVersion).toBe('1.5.4')
    await session.close()
  })

  test('an interpreter that does not exist fails the start at once', async () => {
    const started = new SessionProcess({ ...sessionOptions(installation, envFor({}), actionRoot), python: '/nonexistent/python3' })
    const failure = await failureOf(ModalSession.connect(started, 10000, onTiming))
    expect(failure.kind).toBe('spawn')
    expect(failure.message).toContain('ENOENT')
  })
})

describe('the client over a session', () => {
  const retry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 }

  function clientFor(script: Script) {
    const env = envFor(script)
    const retries: string[] = []
    const output: string[] = []
    const client = new ModalClient({
      locate: async () => installation,
      actionRoot,
      env,
      retry,
      hooks: { sleep: async () => {}, random: () => 0, onRetry: (_, __, reason) => retries.push(reason) },
      onOutputLine: (line) => output.push(line),
      onTiming: () => {},
    })
    return { client, env, retries, output }
  }

  test('a session that dies during the preflight is the phase’s titled error with its last lines', async () => {
    const { client } = clientFor({ answers: { environment: ['die'] }, stderr: 'modal: warming up' })
    const error = await actionErrorOf(client.preflight(client.app('app', 'dev'), [], 10000))
    expect(error.code).toBe('ERR_PREFLIGHT_FAILED')
    expect(error.message).toMatch(/^The Modal session ended during environment: the Modal session exited \(code 3\)\.$/)
    expect(error.details.stderrTail).toContain('fake session: environment request 1')
    await client.close()
  })

  test('an answer outside the protocol is ERR_UNEXPECTED naming the request', async () => {
    const { client } = clientFor({ answers: { call: ['invalid'], app: [{ value: { app_id: 'ap-1' } }] } })
    const error = await actionErrorOf(client.app('app', 'dev').smoke({ version: 2, payload: {} }, 10000))
    expect(error.code).toBe('ERR_UNEXPECTED')
    expect(error.message).toContain("during call: the Modal session's answer to call does not fit the protocol")
    await client.close()
  })

  test('a smoke call past its deadline is ERR_SMOKE_TIMEOUT; the rollback after it gets a new session, and says so', async () => {
    const cli = { exit_code: 0, stdout: '✓ Deployment rollback successful!\n', stderr: '' }
    const { client, env } = clientFor({ answers: { app: [{ value: { app_id: 'ap-1' } }], call: ['hang'], cli: [{ value: cli }] } })
    // The deadline also covers the session's start and the lookup: room for a loaded machine.
    const error = await actionErrorOf(client.app('app', 'dev').smoke({ version: 2, payload: {} }, 3000))
    expect(error.code).toBe('ERR_SMOKE_TIMEOUT')
    expect(error.message).toBe('The smoke call was stopped after 3s (smoke-timeout).')
    expect(await client.app('app', 'dev').rollback({ version: 1, strategy: 'recreate' }, 10000)).toEqual({ ok: true })
    expect(client.notes).toEqual([
      'A new Modal session was started for modal app rollback: the previous one was stopped when the smoke call ran past its deadline.',
    ])
    await client.close()
    expect(await eventually(() => leftRunning(env).length === 0)).toBe(true)
  })

  test('a transient exception is retried in the same session; a failure of the call itself never is', async () => {
    const transient = {
      raised: {
        type: 'ConnectionError',
        chain: ['modal.exception.ConnectionError', 'modal.exception.Error'],
        message: 'Could not connect to the Modal server.',
      },
    }
    const { client, retries } = clientFor({
      answers: {
        authenticate: [transient, { value: null }],
        app: [{ raised: { type: 'NotFoundError', chain: ['modal.exception.NotFoundError'], message: "App 'app' not found" } }],
      },
    })
    const report = await client.preflight(client.app('app', 'dev'), [], 10000)
    expect(retries).toEqual(['ConnectionError: Could not connect to the Modal server.'])
    expect(report).toEqual({ clientVersion: '1.5.4', secrets: [], app: { exists: false } })
    expect(client.notes).toEqual([])
    await client.close()

    const call = clientFor({
      answers: { app: [{ value: { app_id: 'ap-1' } }], call: [{ raised: { ...transient.raised, stage: 'call' } }] },
    })
    const error = await actionErrorOf(call.client.app('app', 'dev').smoke({ version: 2, payload: {} }, 10000))
    expect(error.code).toBe('ERR_SMOKE_FAILED')
    expect(call.retries).toEqual([])
    await call.client.close()
  })

  // Last: a cancel is for the whole process.
  test('a cancelled job ends the session in flight: ERR_CANCELLED, nothing left running', async () => {
    const { client, env, output } = clientFor({ answers: { cli: ['hang'] } })
    const deploy = actionErrorOf(
      client.deploy({ moduleDir: actionRoot, environment: 'dev', tag: 'tag', strategy: 'rolling', moduleEnv: {} }, 60000),
    )
    // The deploy is in flight once the session has said it got the request (it starts a child that hangs next).
    expect(await eventually(() => output.includes('fake session: cli request 1'))).toBe(true)
    await eventually(() => leftRunning(env).length >= 2, 5000)
    cancelRunningProcesses()
    const error = await deploy
    expect(error.code).toBe('ERR_CANCELLED')
    expect(error.message).toBe('The job was cancelled while modal deploy ran; it was stopped.')
    expect(await eventually(() => leftRunning(env).length === 0)).toBe(true)
  })
})
