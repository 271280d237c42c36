// The one comment a pull request gets per processor preview: found again by a hidden marker (processor ref and Modal
// environment), then edited on every push and on close. Every value is untrusted text: escaped as Markdown, bounded,
// and redacted by the caller's redactor before it leaves.
import { markdownCell, markdownCode, markdownLink, versionLabel } from './report-text.js'
import type { ReportedError } from './run-report.js'

export interface PreviewCommentFacts {
  processorRef: string
  environment: string
  appName: string
  pullRequest: number
  state: 'deployed' | 'failed' | 'removed' | 'removal-failed'
  version: number | null
  smokeStatus: string
  error: ReportedError | null
  commit: string | null
  dashboardUrl: string | null
  runUrl: string | null
}

/** GitHub refuses a comment longer than this. */
const COMMENT_LIMIT = 65_000

/**
 * The hidden first line. A ref and an environment name hold no `>` and no `!`, so neither can end the HTML comment.
 * Only a comment that starts with it is ours.
 */
export function previewMarker(processorRef: string, environment: string): string {
  return `<!-- modal-processor-deploy:preview ref=${processorRef} env=${environment} -->`
}

export function isPreviewComment(body: string | null | undefined, marker: string): boolean {
  return typeof body === 'string' && (body === marker || body.startsWith(`${marker}\n`))
}

const cell = (value: string | number | null) => markdownCell(value, 1000)

/** A code span in a table cell (see `markdownCode`). */
const code = (value: string) => markdownCode(value, { limit: 200, inTable: true })

/** A link only to a plain web address; anything else is a dash. */
const link = (text: string, url: string | null) => markdownLink(text, url, '—')

const HEADLINE: Record<PreviewCommentFacts['state'], string> = {
  deployed: '✅ Preview deployed and smoke-tested',
  failed: '❌ Preview deploy failed',
  removed: '🧹 Preview removed',
  'removal-failed': '❌ Preview could not be removed',
}

/** Redaction comes first, on the values as given: escaping could split a secret's text so that it is no longer found. */
export function renderPreviewComment(given: PreviewCommentFacts, redact: (text: string) => string): string {
  const text = (value: string | null) => (value === null ? null : redact(value))
  const facts: PreviewCommentFacts = {
    ...given,
    appName: redact(given.appName),
    smokeStatus: redact(given.smokeStatus),
    error: given.error === null ? null : { code: given.error.code, message: redact(given.error.message) },
    commit: text(given.commit),
    dashboardUrl: text(given.dashboardUrl),
    runUrl: text(given.runUrl),
  }
  const rows: [string, string][] = [
    ['Processor', code(facts.processorRef)],
    ['App', `${code(facts.appName)} in Modal environment ${code(facts.environment)}`],
    [
      'Status',
      facts.state === 'removed'
        ? `removed: pull request #${facts.pullRequest} was closed and the preview app stopped`
        : facts.state === 'deployed'
          ? 'live'
          : `failed: ${cell(facts.error?.code ?? 'unknown')}`,
    ],
  ]
  if (facts.state === 'deployed' || facts.state === 'failed') {
    rows.push(['Version', versionLabel(facts.version)], ['Smoke call', cell(facts.smokeStatus)])
  }
  rows.push(
    ['Commit', facts.commit === null ? '—' : code(facts.commit)],
    ['Dashboard', facts.state === 'deployed' || facts.state === 'failed' ? link('Modal dashboard', facts.dashboardUrl) : '—'],
    ['Run', link('workflow run', facts.runUrl)],
  )
  const lines = [
    previewMarker(facts.processorRef, facts.environment),
    `### ${HEADLINE[facts.state]}: ${markdownCode(facts.processorRef, { limit: 200 })}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
  ]
  if (facts.error !== null) lines.push('', `**${cell(facts.error.code)}**: ${cell(facts.error.message)}`)
  const body = lines.join('\n')
  return body.length <= COMMENT_LIMIT ? body : `${body.slice(0, COMMENT_LIMIT)}\n\n(cut at ${COMMENT_LIMIT} characters)`
}
