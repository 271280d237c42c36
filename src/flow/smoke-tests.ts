// The smoke phase: every smoke test, one after the other (the Modal session serves one request at a time), each
// judged on its own (the contract, its expectation, its max_ms) and recorded with its latency. A failing test does not
// stop the others; the phase fails when any failed. A failure that is not the test's own (a cancel, the function not
// found, a session problem) stops the phase: the tests after it are recorded as not run.
import { ActionError, type ErrorCode } from '../rules/errors.js'
import { findMismatch, renderMismatch } from '../rules/smoke-expect.js'
import { SINGLE_SMOKE_TEST, type SmokeTest, type SmokeTestRecord } from '../rules/smoke-tests.js'
import { bounded, oneLine } from '../rules/untrusted-text.js'
import type { Settings } from '../rules/settings.js'
import type { ModalApp } from '../modal/client.js'
import { asActionErrors, Failures } from './phases.js'
import { aboutCall, smokeCall, type SmokeResult } from './smoke-call.js'
import type { Toolkit } from './toolkit.js'

/** The failures that are a test's verdict on the release: the next test still runs. */
const TEST_VERDICTS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ERR_SMOKE_FAILED',
  'ERR_SMOKE_INVALID_RESPONSE',
  'ERR_SMOKE_TIMEOUT',
  'ERR_SMOKE_EXPECTATION',
  'ERR_SMOKE_TOO_SLOW',
])

const DETAIL_LIMIT = 1000

/** The tests of this run: the catalogue's, or one test with the step's smoke params. */
export function smokeTestsOf(settings: Settings): SmokeTest[] {
  return settings.smokeTests ?? [{ name: SINGLE_SMOKE_TEST, params: settings.smokeParams }]
}

export interface SmokeTestsRun {
  /** Where the tests' records go, as they finish (the report keeps them when the phase fails). */
  records: SmokeTestRecord[]
  /** Removes known secret values from a text before it is cut short. */
  redact: (text: string) => string
}

/** Runs every test against `version`; returns the first test's answer when all passed, else throws their failures. */
export async function runSmokeTests(
  kit: Toolkit,
  app: ModalApp,
  settings: Settings,
  version: number | null,
  { records, redact }: SmokeTestsRun,
): Promise<SmokeResult> {
  const tests = smokeTestsOf(settings)
  // The one test of smoke-inputs keeps the messages it always had; named tests are named in theirs.
  const named = settings.smokeTests !== undefined
  const failures: ActionError[] = []
  let first: SmokeResult | null = null
  for (const [index, test] of tests.entries()) {
    if (named) kit.info(`Smoke test ${index + 1} of ${tests.length}: ${test.name}`)
    const started = kit.now()
    let latencyMs: number | null = null
    try {
      const result = await smokeCall(kit, app, settings, version, test.params)
      latencyMs = kit.now() - started
      aboutCall(result.functionCallId, () => judge(test, result, latencyMs!, redact))
      records.push({ name: test.name, status: 'passed', latencyMs, code: null, detail: null })
      if (named) kit.info(`${test.name} passed in ${latencyMs} ms`)
      first ??= result
    } catch (error) {
      latencyMs ??= kit.now() - started
      const failure = asActionErrors(error)[0]
      const detail = oneLine(bounded(redact(failure.message), DETAIL_LIMIT))
      records.push({ name: test.name, status: 'failed', latencyMs, code: failure.code, detail })
      if (!TEST_VERDICTS.has(failure.code)) {
        for (const rest of tests.slice(index + 1))
          records.push({ name: rest.name, status: 'not-run', latencyMs: null, code: null, detail: null })
        throw error
      }
      if (named) kit.info(`${test.name} failed (${failure.code}): ${detail}`)
      failures.push(named ? new ActionError(failure.code, `Smoke test "${test.name}": ${failure.message}`, failure.details) : failure)
    }
  }
  if (failures.length > 0) throw new Failures(failures)
  return first!
}

/** The test's own checks on an answer under the contract: its expectation, then its max_ms. */
function judge(test: SmokeTest, result: SmokeResult, latencyMs: number, redact: (text: string) => string): void {
  if (test.expect !== undefined) {
    const mismatch = findMismatch(test.expect, result.output)
    if (mismatch !== null) {
      throw new ActionError('ERR_SMOKE_EXPECTATION', `the output does not contain what expect says, ${renderMismatch(mismatch, redact)}.`)
    }
  }
  if (test.maxMs !== undefined && latencyMs > test.maxMs) {
    throw new ActionError('ERR_SMOKE_TOO_SLOW', `the answer took ${latencyMs} ms, more than its max_ms of ${test.maxMs} ms.`)
  }
}
