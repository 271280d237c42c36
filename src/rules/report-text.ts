// How the job summaries write a value, shared by the run summary (rules/run-report.ts) and the fleet table
// (rules/fleet-report.ts), so that both read alike.
import { bounded, markdownText } from './untrusted-text.js'

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
