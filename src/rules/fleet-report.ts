// One table for a fleet deploy: a row per processor from the run report files of its jobs, and the overall verdict.
// Report files are untrusted text (artifacts): every cell is escaped and bounded.
import type { PlannedEntry } from './fleet-plan.js'
import type { RunReportFile } from './run-report-file.js'
import { markdownCell, secondsText, versionLabel } from './report-text.js'

/** A report file as read: its name, and the document or why it could not be read. */
export type ReadReport = { file: string } & ({ ok: true; report: RunReportFile } | { ok: false; problem: string })

export type FleetStatus = 'passed' | 'failed' | 'no report' | 'unreadable' | 'not planned' | 'duplicate'

export interface FleetRow {
  processorRef: string | null
  appName: string | null
  versionBefore: number | null
  versionAfter: number | null
  rolledBack: boolean
  smokeStatus: string
  errorCode: string | null
  errorMessage: string | null
  durationMs: number | null
  status: FleetStatus
  file: string | null
}

export interface FleetVerdict {
  ok: boolean
  text: string
}

/**
 * Rows in ref order. Each planned processor that left no report has a row that says so; a report for a processor the
 * plan does not have, or a second one for the same processor, is not counted as a pass.
 */
export function fleetRows(reports: ReadReport[], planned: PlannedEntry[] | null): FleetRow[] {
  const plannedRefs = planned === null ? null : new Set(planned.map((entry) => entry['processor-ref']))
  const reported = new Set<string | null>()
  const rows = reports.map((read) => {
    const row = rowOf(read)
    if (row.processorRef !== null && reported.has(row.processorRef)) return { ...row, status: 'duplicate' as const }
    if (row.processorRef !== null && plannedRefs !== null && !plannedRefs.has(row.processorRef))
      return { ...row, status: 'not planned' as const }
    reported.add(row.processorRef)
    return row
  })
  for (const entry of planned ?? []) {
    if (reported.has(entry['processor-ref'])) continue
    rows.push({
      ...emptyRow(entry['processor-ref'], null),
      appName: entry['app-name'],
      status: 'no report',
      errorMessage: 'its job left no report file (cancelled, or failed before the action ran)',
    })
  }
  // By ref; the files that named no processor come last.
  const key = (row: FleetRow) => (row.processorRef === null ? `1${row.file}` : `0${row.processorRef}`)
  return rows.sort((a, b) => key(a).localeCompare(key(b)))
}

function emptyRow(processorRef: string | null, file: string | null): FleetRow {
  return {
    processorRef,
    appName: null,
    versionBefore: null,
    versionAfter: null,
    rolledBack: false,
    smokeStatus: 'not-run',
    errorCode: null,
    errorMessage: null,
    durationMs: null,
    status: 'unreadable',
    file,
  }
}

function rowOf(read: ReadReport): FleetRow {
  if (!read.ok) return { ...emptyRow(null, read.file), errorMessage: `${read.file}: ${read.problem}` }
  const { report } = read
  return {
    processorRef: report.processorRef,
    appName: report.appName,
    versionBefore: report.versionBefore,
    versionAfter: report.versionAfter,
    rolledBack: report.rolledBack,
    smokeStatus: report.smokeStatus,
    errorCode: report.errors[0]?.code ?? null,
    errorMessage: report.errors[0]?.message ?? null,
    durationMs: report.durationMs,
    // Judged from what the report says happened, not from its own verdict alone.
    status: report.ok && report.errors.length === 0 && (report.dryRun || report.smokeStatus === 'passed') ? 'passed' : 'failed',
    file: read.file,
  }
}

export function fleetVerdict(rows: FleetRow[]): FleetVerdict {
  const bad = rows.filter((row) => row.status !== 'passed')
  if (rows.length === 0) return { ok: true, text: 'No processor to deploy: nothing changed.' }
  if (bad.length === 0) return { ok: true, text: `All ${rows.length} processor(s) passed.` }
  const counts = (['failed', 'no report', 'unreadable', 'not planned', 'duplicate'] as const)
    .map((status) => [status, rows.filter((row) => row.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
  return { ok: false, text: `${rows.length - bad.length} of ${rows.length} processor(s) passed; ${counts.join(', ')}.` }
}

const ICON: Record<FleetStatus, string> = {
  passed: '✅',
  failed: '❌',
  'no report': '⚠️',
  unreadable: '⚠️',
  'not planned': '⚠️',
  duplicate: '⚠️',
}

const cell = (value: string | number | null, limit = 200) => markdownCell(value, limit)
const v = versionLabel

function versionCell(row: FleetRow): string {
  if (row.status === 'no report' || row.status === 'unreadable') return '—'
  return `${v(row.versionBefore)} → ${v(row.versionAfter)}${row.rolledBack ? ' (rolled back)' : ''}`
}

const STATUS_NOTE: Partial<Record<FleetStatus, string>> = {
  'not planned': 'a report for a processor the plan does not have',
  duplicate: 'a second report for this processor',
}

function errorCell(row: FleetRow): string {
  const note = STATUS_NOTE[row.status]
  if (note !== undefined) return cell(`${note} (${row.file})`, 300)
  if (row.errorCode === null) return cell(row.errorMessage, 300)
  return `${cell(row.errorCode, 60)}: ${cell(row.errorMessage, 300)}`
}

function durationCell(ms: number | null): string {
  return ms === null ? '—' : secondsText(ms)
}

/** The job summary of a fleet deploy, in Markdown. */
export function renderFleetReport(rows: FleetRow[], verdict: FleetVerdict = fleetVerdict(rows)): string {
  const table = rows.map((row) =>
    [
      `${ICON[row.status]} ${cell(row.processorRef ?? row.file)}`,
      cell(row.appName),
      versionCell(row),
      cell(row.smokeStatus),
      errorCell(row),
      durationCell(row.durationMs),
    ].join(' | '),
  )
  return [
    '## Fleet deploy',
    '',
    `${verdict.ok ? '✅' : '❌'} ${verdict.text}`,
    ...(rows.length === 0
      ? []
      : [
          '',
          '| Processor | App | Version (before → after) | Smoke | Error | Duration |',
          '| --- | --- | --- | --- | --- | --- |',
          ...table.map((r) => `| ${r} |`),
        ]),
    '',
  ].join('\n')
}
