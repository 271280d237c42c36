// Smoke tests: the catalogue's `smoke_tests` (a name, the params of one call, what the output must contain, how
// fast it must answer), the record of each test's verdict, and how the job summary shows them.
import * as z from 'zod'
import type { ErrorCode } from './errors.js'
import { markdownCell } from './report-text.js'

export const MAX_SMOKE_TESTS = 20
/** The same bounds as the smoke-inputs input, for params and for an expectation. */
export const MAX_SMOKE_JSON_BYTES = 64 * 1024
export const MAX_SMOKE_JSON_DEPTH = 32
/** No test may wait longer than the longest smoke-timeout (6 hours). */
export const MAX_SMOKE_MS = 6 * 3600 * 1000

/** A name that reads the same in a log, a summary cell and a file: no spaces, no markup. */
export const SMOKE_TEST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** The name of the one test the step runs when the catalogue lists none (smoke-inputs, smoke_inputs, or the default). */
export const SINGLE_SMOKE_TEST = 'smoke'

export interface SmokeTest {
  name: string
  params: Record<string, unknown>
  /** What the output must contain; absent: any output under the contract passes. */
  expect?: unknown
  maxMs?: number
}

export type SmokeTestStatus = 'passed' | 'failed' | 'not-run'

export interface SmokeTestRecord {
  name: string
  status: SmokeTestStatus
  /** From the call to its answer, as the step saw it; null when it was not called. */
  latencyMs: number | null
  code: ErrorCode | null
  /** Why it failed, one line (the mismatch, the slow answer, the processor's error). */
  detail: string | null
}

/** How deep arrays and objects nest in a parsed JSON value, counted without recursion. */
export function valueDepth(value: unknown): number {
  let deepest = 0
  const pending: [unknown, number][] = [[value, 0]]
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!
    if (typeof item !== 'object' || item === null) continue
    deepest = Math.max(deepest, depth + 1)
    for (const child of Object.values(item)) pending.push([child, depth + 1])
  }
  return deepest
}

function boundedJson(what: string) {
  return (value: unknown, ctx: z.RefinementCtx) => {
    if (valueDepth(value) > MAX_SMOKE_JSON_DEPTH) {
      ctx.addIssue({ code: 'custom', message: `${what} nests arrays and objects more than ${MAX_SMOKE_JSON_DEPTH} deep` })
    } else if (Buffer.byteLength(JSON.stringify(value) ?? '') > MAX_SMOKE_JSON_BYTES) {
      ctx.addIssue({ code: 'custom', message: `${what} is larger than ${MAX_SMOKE_JSON_BYTES} bytes as JSON` })
    }
  }
}

const smokeTestSchema = z.strictObject({
  name: z.string().regex(SMOKE_TEST_NAME, "a test name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"),
  params: z.record(z.string(), z.unknown()).superRefine(boundedJson('params')),
  expect: z.unknown().superRefine(boundedJson('expect')).optional(),
  max_ms: z.number().int().min(1).max(MAX_SMOKE_MS).optional(),
})

/** The catalogue field: 1 to 20 tests, names unique. */
export const smokeTestsSchema = z
  .array(smokeTestSchema)
  .min(1, 'list at least one test (or leave smoke_tests out)')
  .max(MAX_SMOKE_TESTS, `at most ${MAX_SMOKE_TESTS} tests`)
  .superRefine((tests, ctx) => {
    const seen = new Set<string>()
    tests.forEach((test, index) => {
      if (seen.has(test.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `the test name ${test.name} is given twice` })
      seen.add(test.name)
    })
  })

export type CatalogueSmokeTests = z.infer<typeof smokeTestsSchema>

/** The catalogue's tests as the flow runs them. */
export function smokeTestsFrom(tests: CatalogueSmokeTests): SmokeTest[] {
  return tests.map((test) => ({
    name: test.name,
    params: test.params,
    ...(test.expect === undefined ? {} : { expect: test.expect }),
    ...(test.max_ms === undefined ? {} : { maxMs: test.max_ms }),
  }))
}

const VERDICT_ICON: Record<SmokeTestStatus, string> = { passed: '✅', failed: '❌', 'not-run': '⏭️' }

/** The summary's section: one row per test. Names and details are untrusted text: escaped and bounded. */
export function renderSmokeTests(records: SmokeTestRecord[]): string[] {
  if (records.length === 0) return []
  const rows = records.map((test) => {
    const latency = test.latencyMs === null ? '—' : `${test.latencyMs} ms`
    const why = test.detail === null ? '—' : `${test.code ?? ''} ${markdownCell(test.detail, 1000)}`.trim()
    return `| ${markdownCell(test.name, 100)} | ${VERDICT_ICON[test.status]} ${test.status} | ${latency} | ${why} |`
  })
  return ['### Smoke tests', '', '| Test | Verdict | Latency | Detail |', '| --- | --- | --- | --- |', ...rows]
}
