import { emptyReport, type RunReport } from '../../src/rules/run-report.js'
import { fleetRows, fleetVerdict, renderFleetReport, type ReadReport } from '../../src/rules/fleet-report.js'
import { parseRunReportFile, runReportFile, RUN_REPORT_SCHEMA, type RunReportFile } from '../../src/rules/run-report-file.js'

function report(overrides: Partial<RunReport>): RunReport {
  return {
    ...emptyReport(),
    processorRef: 'llm/litellm@1',
    appName: 'llm-litellm-v1',
    environment: 'dev',
    versionBefore: 3,
    versionAfter: 4,
    deployedVersion: 4,
    deployOutcome: 'deployed',
    smokeStatus: 'passed',
    durationMs: 61_500,
    ...overrides,
  }
}

const read = (file: string, r: RunReport): ReadReport => {
  const parsed = parseRunReportFile(JSON.stringify(runReportFile(r)))
  if (!parsed.ok) throw new Error(parsed.problem)
  return { file, ...parsed }
}

const FAILED = report({
  processorRef: 'replicate/generic@1',
  appName: 'replicate-generic-v1',
  versionBefore: 2,
  versionAfter: 2,
  deployedVersion: 3,
  rolledBack: true,
  smokeStatus: 'failed',
  errors: [{ code: 'ERR_SMOKE_FAILED', message: 'run raised: boom', stderrTail: 'Traceback …' }],
})

describe('the run report file', () => {
  test('reads back what the action writes; a newer version or another document is refused with the reason', () => {
    const document = runReportFile(FAILED)
    expect(document).toMatchObject({ schema: RUN_REPORT_SCHEMA, version: 2, ok: false, rolledBack: true, smokeTests: [] })
    expect(document.errors).toEqual([{ code: 'ERR_SMOKE_FAILED', message: 'run raised: boom' }])
    expect(parseRunReportFile(JSON.stringify(document))).toEqual({ ok: true, report: document })
    expect(parseRunReportFile(JSON.stringify({ ...document, version: 3 }))).toEqual({
      ok: false,
      problem: 'run report version 3; this CLI reads versions 1 and 2',
    })
    expect(parseRunReportFile('{"processors":{}}')).toMatchObject({ ok: false, problem: expect.stringContaining('not a run report') })
    expect(parseRunReportFile('{')).toMatchObject({ ok: false, problem: expect.stringContaining('not JSON') })
    expect(parseRunReportFile(JSON.stringify({ ...document, smokeStatus: 'maybe' }))).toMatchObject({
      ok: false,
      problem: expect.stringContaining('smokeStatus'),
    })
  })

  test('version 2 carries the smoke tests; a version 1 file (without them) reads as one with none', () => {
    const tests = [
      { name: 'hello', status: 'passed' as const, latencyMs: 120, code: null, detail: null },
      { name: 'shape', status: 'failed' as const, latencyMs: 90, code: 'ERR_SMOKE_EXPECTATION' as const, detail: 'y'.repeat(10_000) },
      { name: 'later', status: 'not-run' as const, latencyMs: null, code: null, detail: null },
    ]
    const document = runReportFile(report({ smokeTests: tests }))
    expect(document.smokeTests.map((t) => [t.name, t.status, t.latencyMs])).toEqual([
      ['hello', 'passed', 120],
      ['shape', 'failed', 90],
      ['later', 'not-run', null],
    ])
    expect(document.smokeTests[1].detail!.length).toBeLessThan(2100)
    expect(parseRunReportFile(JSON.stringify(document))).toEqual({ ok: true, report: document })
    // A file the previous release wrote: version 1, no smokeTests.
    const rest: Partial<RunReportFile> = runReportFile(FAILED)
    delete rest.smokeTests
    const v1 = parseRunReportFile(JSON.stringify({ ...rest, version: 1 }))
    expect(v1).toEqual({ ok: true, report: { ...rest, version: 1, smokeTests: [] } })
    // Version 2 without them is not a file this action wrote.
    expect(parseRunReportFile(JSON.stringify({ ...rest, version: 2 }))).toEqual({ ok: false, problem: 'smokeTests: missing' })
    if (!v1.ok) throw new Error(v1.problem)
    expect(fleetRows([{ file: 'old.json', ...v1 }], null)[0].status).toBe('failed')
  })

  test('a long error message is cut to size in the file', () => {
    const long = runReportFile(report({ errors: [{ code: 'ERR_DEPLOY_FAILED', message: 'x'.repeat(10_000) }] }))
    expect(long.errors[0].message.length).toBeLessThan(2100)
  })
})

describe('fleet report', () => {
  test('a row per processor in ref order, with versions, smoke, error and duration, and the verdict', () => {
    const rows = fleetRows([read('b.json', FAILED), read('a.json', report({}))], null)
    expect(rows.map((r) => [r.processorRef, r.status])).toEqual([
      ['llm/litellm@1', 'passed'],
      ['replicate/generic@1', 'failed'],
    ])
    const md = renderFleetReport(rows)
    expect(md).toContain('❌ 1 of 2 processor(s) passed; 1 failed.')
    expect(md).toContain('| ✅ llm/litellm@1 | llm-litellm-v1 | v3 → v4 | passed | — | 61.5 s |')
    expect(md).toContain(
      '| ❌ replicate/generic@1 | replicate-generic-v1 | v2 → v2 (rolled back) | failed | ERR\\_SMOKE\\_FAILED: run raised: boom | 61.5 s |',
    )
  })

  test('all passed, or nothing planned, is a success', () => {
    expect(fleetVerdict(fleetRows([read('a.json', report({}))], null))).toEqual({
      ok: true,
      text: 'All 1 processor(s) passed.',
    })
    expect(fleetVerdict([])).toEqual({ ok: true, text: 'No processor to deploy: nothing changed.' })
    expect(renderFleetReport([])).not.toContain('| Processor |')
  })

  test('a planned processor without a report, and a file that cannot be read, each fail the fleet with their own row', () => {
    const planned = [
      { 'processor-ref': 'llm/litellm@1', 'app-name': 'llm-litellm-v1', 'image-ref': 'x', 'tool-secrets': '' },
      { 'processor-ref': 'ocr/tesseract@2', 'app-name': 'ocr-tesseract-v2', 'image-ref': 'y', 'tool-secrets': '' },
    ]
    const rows = fleetRows([read('a.json', report({})), { file: 'c.json', ok: false, problem: 'not JSON' }], planned)
    expect(rows.map((r) => r.status)).toEqual(['passed', 'no report', 'unreadable'])
    const md = renderFleetReport(rows)
    expect(md).toContain('❌ 1 of 3 processor(s) passed; 1 no report, 1 unreadable.')
    expect(md).toContain('| ⚠️ ocr/tesseract@2 | ocr-tesseract-v2 | — | not-run | its job left no report file')
    expect(md).toContain('| ⚠️ c.json | — | — | not-run | c.json: not JSON | — |')
  })

  test('a report is judged by what it says happened; a duplicate or a processor outside the plan is never a pass', () => {
    const claims = runReportFile(report({ smokeStatus: 'failed' }))
    const rows = fleetRows([{ file: 'a.json', ok: true, report: { ...claims, ok: true } }], null)
    expect(rows[0].status).toBe('failed')
    const planned = [{ 'processor-ref': 'llm/litellm@1', 'app-name': 'llm-litellm-v1', 'image-ref': 'x', 'tool-secrets': '' }]
    const extra = report({ processorRef: 'ocr/x@1', appName: 'ocr-x-v1' })
    const twice = fleetRows([read('a.json', report({})), read('b.json', report({})), read('c.json', extra)], planned)
    expect(twice.map((r) => [r.file, r.status])).toEqual([
      ['a.json', 'passed'],
      ['b.json', 'duplicate'],
      ['c.json', 'not planned'],
    ])
    const md = renderFleetReport(twice)
    expect(md).toContain('❌ 1 of 3 processor(s) passed; 1 not planned, 1 duplicate.')
    expect(md).toContain('a second report for this processor (b.json)')
  })

  test('text from a report file renders as text: no markup, no table cell, no second line', () => {
    const hostile = report({
      processorRef: '<img src=x onerror=alert(1)>',
      appName: 'a|b',
      errors: [{ code: 'ERR_DEPLOY_FAILED', message: '[click](https://evil)\n## heading\n| x |' }],
    })
    const md = renderFleetReport(fleetRows([read('x.json', hostile)], null))
    const row = md.split('\n').find((line) => line.startsWith('| ❌'))!
    expect(row).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(row).toContain('a\\|b')
    expect(row).toContain('\\[click\\](https\\://evil) ⏎ ## heading ⏎ \\| x \\|')
    expect(md.split('\n').filter((line) => line.startsWith('## '))).toEqual(['## Fleet deploy'])
  })
})
