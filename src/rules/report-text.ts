// How the reports write a value, shared by the run summary (rules/run-report.ts), the fleet table
// (rules/fleet-report.ts), the preview comment (rules/preview-comment.ts) and the log's closing line, so all read alike.
import { bounded, markdownText, oneLine } from './untrusted-text.js'

/** Untrusted text in a Markdown table cell: escaped, bounded, and a dash when there is none. */
export function markdownCell(value: string | number | null, limit: number): string {
  return value === null || value === '' ? '—' : markdownText(bounded(String(value), limit))
}

/** A Modal app version: `v4`, or `none` before the first deploy. */
export function versionLabel(version: number | null): string {
  return version === null ? 'none' : `v${version}`
}

/** A duration in seconds, to a tenth: `4.2 s`. */
export function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/**
 * Untrusted text as a code span: one line, bounded, its backticks turned to quotes so none can close the span. GFM
 * splits a table row at every `|` before it reads code spans, so in a table cell a `|` is escaped (GFM drops the `\`).
 */
export function markdownCode(value: string | number | null, { limit = 500, inTable = false } = {}): string {
  if (value === null) return '—'
  const text = oneLine(bounded(String(value), limit)).replace(/`/g, "'")
  return `\`${inTable ? text.replace(/\|/g, '\\|') : text}\``
}

/** A link only to a plain web address that neither Markdown nor a table cell reads as markup; otherwise `fallback`. */
export function markdownLink(text: string, url: string | null, fallback: string): string {
  const plain = url !== null && url.length <= 2000 && /^https?:\/\/[^\s()<>[\]`"'\\|]+$/.test(url)
  return plain ? `[${markdownCell(text, 1000)}](${url})` : fallback
}

/** A pull request in a sentence: `pull request #42`, or `the pull request` when its number is not known. */
export function pullRequestText(pullRequest: number | null | undefined): string {
  return pullRequest == null ? 'the pull request' : `pull request #${pullRequest}`
}
