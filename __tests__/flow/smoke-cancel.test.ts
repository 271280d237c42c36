// The smoke call never outlives the step, in process: what the session reports of a call that timed out, failed or
// was stopped by the job's cancel (function-call id, cancelled or not) becomes the step's error, summary and report;
// and the deploy and rollback strategies reach the commands.
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { FunctionCallFacts } from '../../src/modal/session.js'
import { fails, FakeModal, functionCallId, raised } from '../support/fake-modal.js'
import { errorTitles, recordingToolkit } from '../support/recording-toolkit.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { runAction } from '../../src/flow/run-action.js'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`
const BASE = { 'processor-ref': 'llm/litellm@1', 'image-ref': IMAGE, 'modal-environment': 'dev', 'tool-secrets': 'OPENAI_API_KEY' }

async function run(modal: FakeModal, inputs: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  const kit = recordingToolkit({ ...BASE, ...inputs }, env)
  const report = await runAction(kit, { connect: modal.connect })
  return { ...kit.record, report, errors: errorTitles(kit.record) }
}

function message(result: { annotations: { level: string; message: string }[] }, n = 0): string {
  return result.annotations.filter((a) => a.level === 'error')[n]?.message ?? ''
}

/** The session's answer to a call that did not end well, as modal-session/session.py gives it. */
function unfinishedCall(modal: FakeModal, error: ReturnType<typeof raised>, facts: Partial<FunctionCallFacts>) {
  return modal.on('call', () =>
    fails(error, {
      function_call_id: modal.nextFunctionCallId(),
      timed_out: false,
      cancelled: true,
      cancel_raised: null,
      stopped_by: null,
      ...facts,
    }),
  )
}

const waitTimedOut = raised('builtins.TimeoutError', '', 'call')

describe('a smoke call that does not end well is cancelled on Modal, and the step says so', () => {
  test('past smoke-timeout: the session waits until the deadline, cancels, and the same session rolls back', async () => {
    const modal = unfinishedCall(new FakeModal().deployed('llm-litellm-v1', 'old'), waitTimedOut, { timed_out: true })
    const dir = scratchDir('smoke-cancel-')
    mkdirSync(dir, { recursive: true })
    const result = await run(modal, { 'smoke-timeout': '40', 'report-file': 'report.json' }, { GITHUB_WORKSPACE: dir })
    expect(result.errors).toEqual(['ERR_SMOKE_TIMEOUT', 'ERR_ROLLED_BACK'])
    expect(message(result)).toContain(
      `The smoke call was stopped after 40s (smoke-timeout) and cancelled on Modal with its containers (function call ${functionCallId(1)}).`,
    )
    // The session was asked to wait until the smoke deadline (what is left of it after the app lookup).
    const timeout = modal.requests.find((r) => r.label === 'call')!.args.timeout as number
    expect(timeout).toBeGreaterThan(35)
    expect(timeout).toBeLessThanOrEqual(40)
    // No session was lost: the logs of that very call, and the rollback, in the same one.
    expect(modal.sessionsStarted).toBe(1)
    const logs = modal.requests.find((r) => r.label === 'modal app logs')!.args.args as string[]
    expect(logs).toEqual(expect.arrayContaining(['--function-call', functionCallId(1)]))
    expect(result.summary).toContain(`| Function calls | \`${functionCallId(1)}\` |`)
    const file = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as { functionCallIds: string[] }
    expect(file.functionCallIds).toEqual([functionCallId(1)])
  })

  test('a cancel Modal refused: the step says the call may still run', async () => {
    const cancelRaised = raised('ConnectionError', 'Could not connect to the Modal server.')
    const modal = unfinishedCall(new FakeModal(), waitTimedOut, { timed_out: true, cancelled: false, cancel_raised: cancelRaised })
    const result = await run(modal, { 'smoke-timeout': '5', 'rollback-on-failure': 'false' })
    expect(result.errors).toEqual(['ERR_SMOKE_TIMEOUT'])
    expect(message(result)).toContain(
      `and not cancelled on Modal: ConnectionError: Could not connect to the Modal server.; it may still run (function call ${functionCallId(1)}).`,
    )
  })

  test('the job cancelled mid-call: ERR_CANCELLED with the cancelled call; no logs, no rollback', async () => {
    const stopped = raised('builtins.SessionStopped', 'SIGTERM', 'call')
    const modal = unfinishedCall(new FakeModal().deployed('llm-litellm-v1', 'old'), stopped, { stopped_by: 'SIGTERM' })
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_CANCELLED'])
    expect(message(result)).toContain(
      `The job was cancelled while the smoke call ran; the call was cancelled on Modal with its containers (function call ${functionCallId(1)}).`,
    )
    expect(modal.labels().at(-1)).toBe('call')
    expect(result.report.functionCallIds).toEqual([functionCallId(1)])
  })

  test('a processor error: its own error, the call id in the report, that call’s logs', async () => {
    const modal = unfinishedCall(new FakeModal(), raised('builtins.ValueError', 'bad input', 'call'), {})
    const result = await run(modal, { 'rollback-on-failure': 'false' })
    expect(result.errors).toEqual(['ERR_SMOKE_FAILED'])
    expect(message(result)).toContain('ValueError: bad input')
    expect(result.report.functionCallIds).toEqual([functionCallId(1)])
  })

  test('a call that passes: its id in the log, the summary and the report', async () => {
    const modal = new FakeModal()
    const result = await run(modal)
    expect(result.errors).toEqual([])
    expect(result.report.functionCallIds).toEqual([functionCallId(1)])
    expect(result.summary).toContain(`| Function calls | \`${functionCallId(1)}\` |`)
  })
})

describe('deploy-strategy and rollback-strategy', () => {
  const failingCall = (modal: FakeModal) => {
    modal.answerCall = () => 'not the contract'
    return modal
  }
  const argsOf = (modal: FakeModal, label: string) => modal.requests.find((r) => r.label === label)!.args.args as string[]

  test('defaults: rolling deploys (the client’s default, no flag), recreate rollbacks', async () => {
    const modal = failingCall(new FakeModal().deployed('llm-litellm-v1', 'old'))
    const result = await run(modal)
    expect(result.errors).toEqual(['ERR_SMOKE_INVALID_RESPONSE', 'ERR_ROLLED_BACK'])
    expect(argsOf(modal, 'modal deploy')).not.toContain('--strategy')
    expect(argsOf(modal, 'modal app rollback')).toEqual([
      'app',
      'rollback',
      'llm-litellm-v1',
      'v1',
      '--env',
      'dev',
      '--strategy',
      'recreate',
    ])
  })

  test('given: recreate deploys, rolling rollbacks', async () => {
    const modal = failingCall(new FakeModal().deployed('llm-litellm-v1', 'old'))
    await run(modal, { 'deploy-strategy': 'recreate', 'rollback-strategy': 'rolling' })
    expect(argsOf(modal, 'modal deploy').slice(-2)).toEqual(['--strategy', 'recreate'])
    expect(argsOf(modal, 'modal app rollback').slice(-2)).toEqual(['--strategy', 'rolling'])
  })

  test('a client before 1.5.1 rolls back without --strategy, and the summary says so', async () => {
    const modal = failingCall(new FakeModal().deployed('llm-litellm-v1', 'old'))
    modal.clientVersion = '1.5.0'
    const result = await run(modal)
    expect(argsOf(modal, 'modal app rollback')).not.toContain('--strategy')
    expect(result.summary).toContain('Modal client 1.5.0 has no rollback --strategy (1.5.1 and later have)')
  })

  test('a bad value is refused before anything changes', async () => {
    const modal = new FakeModal()
    const result = await run(modal, { 'deploy-strategy': 'blue-green', 'rollback-strategy': 'fast' })
    expect(result.errors).toEqual(['ERR_INVALID_INPUT', 'ERR_INVALID_INPUT'])
    expect(message(result)).toContain("deploy-strategy must be rolling or recreate, got 'blue-green'.")
    expect(message(result, 1)).toContain("rollback-strategy must be rolling or recreate, got 'fast'.")
    expect(modal.sessionsStarted).toBe(0)
  })
})
