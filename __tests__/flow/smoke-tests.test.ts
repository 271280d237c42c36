// The smoke phase with the catalogue's smoke_tests, in process: every test runs, each with its verdict and latency,
// expectations and max_ms judged, the summary and the report file carry each test, and a failure rolls back as before.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { contractAnswer, FakeModal, fails, functionCallId, raised } from '../support/fake-modal.js'
import { errorTitles, recordingToolkit } from '../support/recording-toolkit.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { runAction } from '../../src/flow/run-action.js'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`

/** A processor whose output echoes its params, so each test's expectation can be about its own call. */
const echo = (payload: unknown) => ({
  ...(contractAnswer(payload) as object),
  output: { reply: { role: 'assistant', content: 'mock reply' }, params: (payload as { params: unknown }).params },
})

async function run(modal: FakeModal, smokeTests: unknown, inputs: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  const dir = scratchDir('smoke-tests-')
  writeFileSync(
    path.join(dir, 'modal-processors.json'),
    JSON.stringify({
      processors: { 'llm/litellm@1': { image: { oci: IMAGE }, tool_secrets: ['OPENAI_API_KEY'], smoke_tests: smokeTests } },
    }),
  )
  const kit = recordingToolkit(
    { 'processor-ref': 'llm/litellm@1', 'modal-environment': 'dev', 'report-file': 'report.json', ...inputs },
    { GITHUB_WORKSPACE: dir, ...env },
  )
  const report = await runAction(kit, { connect: modal.connect })
  const file = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as { version: number; smokeTests: unknown[] }
  const errorMessages = kit.record.annotations.filter((a) => a.level === 'error').map((a) => a.message.split('\n')[0])
  return { ...kit.record, report, file, errors: errorTitles(kit.record), errorMessages }
}

const calls = (modal: FakeModal) =>
  modal.requests.filter((r) => r.label === 'call').map((r) => (r.args.payload as { params: unknown }).params)

describe('smoke tests from the catalogue', () => {
  test('every test is called with its own params; all pass: smoke-status passed, a summary row and a report entry each', async () => {
    const modal = new FakeModal()
    modal.answerCall = echo
    const result = await run(modal, [
      { name: 'greets', params: { messages: [{ role: 'user', content: 'hi' }] }, expect: { reply: { role: 'assistant' } } },
      { name: 'echoes', params: { n: [1, 2] }, expect: { params: { n: [1] } }, max_ms: 60_000 },
      { name: 'no-expect', params: {} },
    ])
    expect(result.errors).toEqual([])
    expect(calls(modal)).toEqual([{ messages: [{ role: 'user', content: 'hi' }] }, { n: [1, 2] }, {}])
    // Each call pinned to the version this run made live.
    expect(modal.requests.filter((r) => r.label === 'call').map((r) => r.args.version)).toEqual([1, 1, 1])
    expect(result.outputs['smoke-status']).toBe('passed')
    // smoke-output is the first test's output.
    expect(JSON.parse(result.outputs['smoke-output'])).toMatchObject({ params: { messages: [{ content: 'hi' }] } })
    expect(result.summary).toContain('### Smoke tests')
    expect(result.summary).toMatch(/^\| greets \| ✅ passed \| \d+ ms \| — \|$/m)
    expect(result.summary).toMatch(/^\| echoes \| ✅ passed \| \d+ ms \| — \|$/m)
    expect(result.summary).toMatch(/^\| no-expect \| ✅ passed \| \d+ ms \| — \|$/m)
    expect(result.file.version).toBe(2)
    expect(result.file.smokeTests).toEqual([
      { name: 'greets', status: 'passed', latencyMs: expect.any(Number), code: null, detail: null },
      { name: 'echoes', status: 'passed', latencyMs: expect.any(Number), code: null, detail: null },
      { name: 'no-expect', status: 'passed', latencyMs: expect.any(Number), code: null, detail: null },
    ])
    expect(result.report.phases.find((p) => p.phase === 'smoke')?.detail).toBe('run answered in mode mock, 3 smoke test(s) passed')
  })

  test('a failed expectation names the test and the path, with expected and actual; the later tests still run; rolled back', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'old')
    modal.answerCall = echo
    const result = await run(modal, [
      { name: 'greets', params: { messages: [] }, expect: { reply: { content: 'mock reply' } } },
      { name: 'answers-right', params: { q: 'x' }, expect: { reply: { content: 'the right answer' } } },
      { name: 'last', params: { q: 'y' }, expect: { params: { q: 'y' } } },
    ])
    expect(calls(modal)).toHaveLength(3)
    expect(result.errors).toEqual(['ERR_SMOKE_EXPECTATION', 'ERR_ROLLED_BACK'])
    expect(result.errorMessages[0]).toBe(
      'Smoke test "answers-right": the output does not contain what expect says, at $.reply.content: expected "the right answer", got "mock reply".',
    )
    expect(result.outputs).toMatchObject({ 'smoke-status': 'failed', 'rolled-back': 'true', 'error-code': 'ERR_SMOKE_EXPECTATION' })
    expect(result.summary).toMatch(/^\| greets \| ✅ passed \| \d+ ms \| — \|$/m)
    expect(result.summary).toMatch(
      /^\| answers-right \| ❌ failed \| \d+ ms \| ERR_SMOKE_EXPECTATION the output does not contain what expect says, at \$\.reply\.content: expected "the right answer", got "mock reply"\. \|$/m,
    )
    expect(result.summary).toMatch(/^\| last \| ✅ passed \| \d+ ms \| — \|$/m)
    expect(result.file.smokeTests).toMatchObject([
      { name: 'greets', status: 'passed' },
      { name: 'answers-right', status: 'failed', code: 'ERR_SMOKE_EXPECTATION' },
      { name: 'last', status: 'passed' },
    ])
  })

  test('slower than max_ms fails with both numbers', async () => {
    const modal = new FakeModal()
    modal.answerCall = echo
    const result = await run(modal, [{ name: 'quick', params: {}, max_ms: 1 }])
    expect(result.errors).toEqual(['ERR_SMOKE_TOO_SLOW', 'ERR_ROLLBACK_UNAVAILABLE'])
    expect(result.errorMessages[0]).toMatch(/^Smoke test "quick": the answer took (\d+) ms, more than its max_ms of 1 ms\.$/)
    const took = Number(/took (\d+) ms/.exec(result.errorMessages[0])![1])
    expect(took).toBeGreaterThan(1)
    expect(result.file.smokeTests).toEqual([
      {
        name: 'quick',
        status: 'failed',
        latencyMs: took,
        code: 'ERR_SMOKE_TOO_SLOW',
        detail: `the answer took ${took} ms, more than its max_ms of 1 ms.`,
      },
    ])
  })

  test('every test runs even when the first fails: a processor error, a wrong answer and a pass, each reported', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'old')
    modal.answerCall = (payload) => {
      const params = (payload as { params: { fail?: boolean } }).params
      if (params.fail) return { ok: false, error: { type: 'ProcessorError', code: 'ERR_UPSTREAM', message: 'the provider said no' } }
      return echo(payload)
    }
    const result = await run(modal, [
      { name: 'first', params: { fail: true } },
      { name: 'second', params: { a: 1 }, expect: { params: { a: 2 } } },
      { name: 'third', params: { a: 3 }, expect: { params: { a: 3 } } },
    ])
    expect(calls(modal)).toHaveLength(3)
    expect(result.errors).toEqual(['ERR_SMOKE_FAILED', 'ERR_SMOKE_EXPECTATION', 'ERR_ROLLED_BACK'])
    expect(result.errorMessages[0]).toBe('Smoke test "first": The processor failed (ProcessorError ERR_UPSTREAM): the provider said no')
    expect(result.errorMessages[1]).toBe(
      'Smoke test "second": the output does not contain what expect says, at $.params.a: expected 2, got 1.',
    )
    expect(result.file.smokeTests).toMatchObject([
      { name: 'first', status: 'failed', code: 'ERR_SMOKE_FAILED' },
      { name: 'second', status: 'failed', code: 'ERR_SMOKE_EXPECTATION' },
      { name: 'third', status: 'passed', code: null },
    ])
    expect(modal.versions()).toEqual([1, 2, 3]) // deployed v2, rolled back as v3
    // The logs shown are the first failing test's own call, not the last (passing) one's.
    expect(modal.requests.find((r) => r.label === 'modal app logs')!.args.args).toEqual(
      expect.arrayContaining(['--function-call', functionCallId(1)]),
    )
  })

  test('a timed-out test is that test’s verdict: the next one still runs', async () => {
    const modal = new FakeModal().hang('call', 'timeout', 1)
    modal.answerCall = echo
    const result = await run(modal, [
      { name: 'hangs', params: {} },
      { name: 'answers', params: {} },
    ])
    expect(result.errors).toEqual(['ERR_SMOKE_TIMEOUT', 'ERR_ROLLBACK_UNAVAILABLE'])
    expect(result.errorMessages[0]).toMatch(/^Smoke test "hangs": /)
    expect(result.file.smokeTests).toMatchObject([
      { name: 'hangs', status: 'failed', code: 'ERR_SMOKE_TIMEOUT' },
      { name: 'answers', status: 'passed' },
    ])
  })

  test('a failure that is not the test’s own (the function is not there) stops the phase: the rest are not run', async () => {
    const modal = new FakeModal()
    modal.on('call', () => fails(raised('NotFoundError', "Lookup failed for Function 'run': not found.", 'lookup')))
    const result = await run(modal, [
      { name: 'one', params: {} },
      { name: 'two', params: {} },
    ])
    expect(calls(modal)).toHaveLength(1)
    expect(result.errors[0]).toBe('ERR_FUNCTION_NOT_FOUND')
    expect(result.file.smokeTests).toMatchObject([
      { name: 'one', status: 'failed', code: 'ERR_FUNCTION_NOT_FOUND' },
      { name: 'two', status: 'not-run', latencyMs: null },
    ])
    expect(result.summary).toMatch(/^\| two \| ⏭️ not-run \| — \| — \|$/m)
  })

  test('smoke-inputs given to the step replaces the catalogue’s tests with one, judged as before', async () => {
    const modal = new FakeModal()
    modal.answerCall = echo
    const result = await run(modal, [{ name: 'would-fail', params: {}, expect: { nothing: 1 } }], { 'smoke-inputs': '{"prompt":"x"}' })
    expect(result.errors).toEqual([])
    expect(calls(modal)).toEqual([{ prompt: 'x' }])
    expect(result.file.smokeTests).toMatchObject([{ name: 'smoke', status: 'passed' }])
  })

  test('a secret the processor echoes is redacted in the mismatch line, before it is cut, everywhere it is shown', async () => {
    const secret = `sk-${'s'.repeat(40)}`
    const modal = new FakeModal()
    modal.answerCall = (payload) => ({
      ...(contractAnswer(payload) as object),
      output: { token: `${'x'.repeat(170)}${secret}${'y'.repeat(500)}` },
    })
    const result = await run(modal, [{ name: 'leaks', params: {}, expect: { token: 'a' } }], {}, { OPENAI_API_KEY: secret })
    expect(result.errors[0]).toBe('ERR_SMOKE_EXPECTATION')
    for (const text of [result.errorMessages[0], result.summary, JSON.stringify(result.file)]) {
      expect(text).toMatch(/\\?\*\\?\*\\?\*y/) // the summary escapes it as Markdown: \*\*\*
      expect(text).not.toContain(secret.slice(0, 12))
    }
  })

  test('a catalogue with bad smoke_tests is refused before anything changes', async () => {
    const modal = new FakeModal()
    const result = await run(modal, [
      { name: 'a', params: {} },
      { name: 'a', params: {} },
    ])
    expect(result.errors).toEqual(['ERR_INVALID_SMOKE_TESTS'])
    expect(result.errorMessages[0]).toMatch(
      /modal-processors\.json: processors\.llm\/litellm@1\.smoke_tests\.1\.name: the test name a is given twice/,
    )
    expect(modal.requests).toEqual([])
  })
})

describe('smoke tests under rollout: verify-first', () => {
  const LIVE = 'llm-litellm-v1'
  const CANDIDATE = 'llm-litellm-v1-candidate'
  const callsTo = (modal: FakeModal) => modal.requests.filter((r) => r.label === 'call').map((r) => [r.args.app, r.args.version])
  const tests = (content: string) => [
    { name: 'greets', params: { q: 1 }, expect: { reply: { content } } },
    { name: 'echoes', params: { q: 2 }, expect: { params: { q: 2 } } },
  ]

  test('the candidate runs every test; a wrong answer there refuses the release and the live app keeps its version', async () => {
    const modal = new FakeModal().deployed(LIVE, 'a')
    modal.answerCall = echo
    const result = await run(modal, tests('another reply'), { rollout: 'verify-first' })
    expect(result.errors).toEqual(['ERR_SMOKE_EXPECTATION', 'ERR_CANDIDATE_REFUSED'])
    expect(result.errorMessages[0]).toBe(
      'Smoke test "greets": the output does not contain what expect says, at $.reply.content: expected "another reply", got "mock reply".',
    )
    expect(callsTo(modal)).toEqual([
      [CANDIDATE, 1],
      [CANDIDATE, 1],
    ])
    expect(modal.versions(LIVE)).toEqual([1])
    expect(result.file.smokeTests).toMatchObject([
      { name: 'greets', status: 'failed', code: 'ERR_SMOKE_EXPECTATION' },
      { name: 'echoes', status: 'passed' },
    ])
    expect(result.outputs).toMatchObject({ 'smoke-status': 'failed', 'candidate-status': 'failed', 'rolled-back': 'false' })
  })

  test('a passing candidate: the live version runs the tests again, and its results are the ones reported', async () => {
    const modal = new FakeModal().deployed(LIVE, 'a')
    modal.answerCall = echo
    const result = await run(modal, tests('mock reply'), { rollout: 'verify-first' })
    expect(result.errors).toEqual([])
    expect(callsTo(modal)).toEqual([
      [CANDIDATE, 1],
      [CANDIDATE, 1],
      [LIVE, 2],
      [LIVE, 2],
    ])
    expect(result.file.smokeTests).toMatchObject([
      { name: 'greets', status: 'passed' },
      { name: 'echoes', status: 'passed' },
    ])
    expect(result.summary.match(/^\| greets \|/gm)).toHaveLength(1)
  })
})
