import { markdownCode, markdownLink } from '../../src/rules/report-text.js'
import { emptyReport, renderSummary } from '../../src/rules/run-report.js'
import { tableCells } from '../support/markdown-table.js'

describe('markdownCode', () => {
  test('in a table cell, a | stays inside its cell (GFM splits rows before it reads code spans)', () => {
    const row = `| App | ${markdownCode('ap-1|2 | x', { inTable: true })} |`
    expect(tableCells(row)).toHaveLength(2)
    expect(row).toContain('`ap-1\\|2 \\| x`')
  })

  test('outside a table a | is left as it is, since a backslash would show', () => {
    expect(markdownCode('a|b')).toBe('`a|b`')
  })

  test('no backtick or line break can close the span or start a block', () => {
    const span = markdownCode('x` **bold** `\n# heading')
    expect(span.slice(1, -1)).not.toContain('`')
    expect(span).not.toContain('\n')
  })

  test('bounded, and a dash when there is no value', () => {
    expect(markdownCode('y'.repeat(10_000), { limit: 200 }).length).toBeLessThan(300)
    expect(markdownCode(null)).toBe('—')
  })
})

describe('markdownLink', () => {
  test('a plain web address is a link', () => {
    expect(markdownLink('dashboard', 'https://modal.com/apps/acme/dev', '—')).toBe('[dashboard](https://modal.com/apps/acme/dev)')
  })

  test.each([
    ['a pipe, which would split a table row', 'https://modal.com/a|b'],
    ['a closing parenthesis', 'https://modal.com/a)b'],
    ['another scheme', 'javascript:alert(1)'],
    ['a space', 'https://modal.com/a b'],
    ['too long', `https://modal.com/${'a'.repeat(2100)}`],
  ])('refuses an address with %s and gives the fallback', (_why, url) => {
    expect(markdownLink('dashboard', url, '—')).toBe('—')
  })
})

describe('hostile values in the tables', () => {
  test("the run summary's rows keep two cells when Modal's app id or URL has a pipe", () => {
    const summary = renderSummary({
      ...emptyReport(),
      processorRef: 'llm/litellm@1',
      environment: 'dev',
      appName: 'llm-litellm-v1',
      appId: 'ap-1 | injected | cell',
      dashboardUrl: 'https://modal.com/x|y',
      functionCallIds: ['fc-a|b'],
    })
    const rows = summary.split('\n').filter((line) => /^\| (App|Function calls) \|/.test(line))
    expect(rows).toHaveLength(2)
    for (const row of rows) expect(tableCells(row)).toHaveLength(2)
    expect(summary).not.toContain('](https://modal.com/x|y)')
  })
})
