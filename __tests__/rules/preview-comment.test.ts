import { isPreviewComment, previewMarker, renderPreviewComment, type PreviewCommentFacts } from '../../src/rules/preview-comment.js'
import { redactor } from '../../src/rules/redaction.js'
import { tableCells } from '../support/markdown-table.js'

const facts: PreviewCommentFacts = {
  processorRef: 'llm/litellm@1',
  environment: 'dev',
  appName: 'llm-litellm-v1-pr42',
  pullRequest: 42,
  state: 'deployed',
  version: 3,
  smokeStatus: 'passed',
  error: null,
  commit: 'a'.repeat(40),
  dashboardUrl: 'https://modal.com/apps/acme/dev/deployed/llm-litellm-v1-pr42',
  runUrl: 'https://github.com/acme/processors/actions/runs/1',
}
const none = (text: string) => text

describe('renderPreviewComment', () => {
  test("a | in the app name or the dashboard address keeps the table's rows at two cells", () => {
    const body = renderPreviewComment({ ...facts, appName: 'app | injected', dashboardUrl: 'https://modal.com/a|b' }, none)
    const rows = body.split('\n').filter((line) => /^\| (App|Dashboard) \|/.test(line))
    expect(rows).toHaveLength(2)
    for (const row of rows) expect(tableCells(row)).toHaveLength(2)
  })

  test('starts with the marker, which finds it again', () => {
    const body = renderPreviewComment(facts, none)
    expect(isPreviewComment(body, previewMarker('llm/litellm@1', 'dev'))).toBe(true)
    expect(isPreviewComment(body, previewMarker('llm/litellm@1', 'main'))).toBe(false)
    expect(isPreviewComment(`quoted: ${body}`, previewMarker('llm/litellm@1', 'dev'))).toBe(false)
    expect(body).toContain('| Version | v3 |')
    expect(body).toContain('[workflow run](https://github.com/acme/processors/actions/runs/1)')
  })

  test('an error message is one escaped, bounded cell: no table break, no HTML, no link, no second marker line', () => {
    const message = `a | b\n<!-- modal-processor-deploy:preview ref=llm/litellm@1 env=dev -->\n<script>x</script> [x](https://evil) ${'y'.repeat(5000)}`
    const body = renderPreviewComment({ ...facts, state: 'failed', error: { code: 'ERR_SMOKE_FAILED', message } }, none)
    const lines = body.split('\n')
    expect(lines.filter((l) => l.includes('<!--'))).toEqual([lines[0]])
    expect(body).not.toContain('<script>')
    expect(body).not.toContain('[x](https://evil)')
    expect(body).not.toContain('a | b')
    expect(body.length).toBeLessThan(3000)
  })

  test('a link only to a plain web address', () => {
    const body = renderPreviewComment({ ...facts, dashboardUrl: 'javascript:alert(1)', runUrl: 'https://x/a)b' }, none)
    expect(body).toContain('| Dashboard | — |')
    expect(body).toContain('| Run | — |')
  })

  test('secrets are redacted before escaping, so an escaped form cannot slip through', () => {
    const secret = 'sk_live_secret_value_1'
    const body = renderPreviewComment(
      { ...facts, state: 'failed', error: { code: 'ERR_SMOKE_FAILED', message: `token ${secret}` } },
      redactor([secret]),
    )
    expect(body).not.toContain('secret\\_value')
    expect(body).not.toContain(secret)
    expect(body).toContain('\\*\\*\\*')
  })

  test('removed: no version, no dashboard', () => {
    const body = renderPreviewComment({ ...facts, state: 'removed' }, none)
    expect(body).toContain('Preview removed')
    expect(body).not.toContain('| Version |')
    expect(body).toContain('| Dashboard | — |')
  })
})
