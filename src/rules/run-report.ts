// What a run found and did, and how it is shown: outputs for later steps and a job summary for people.
import { fixFor, type ErrorCode, type Fix, type FixValues, type Phase } from '../rules/errors.js'
import { markdownCell, markdownCode, markdownLink, pullRequestText, secondsText, versionLabel } from '../rules/report-text.js'
import { bounded, markdownFence, safeJson } from '../rules/untrusted-text.js'
import { renderSmokeTests, type SmokeTestRecord } from './smoke-tests.js'

export const OUTPUT_NAMES = [
  'app-name',
  'app-id',
  'version',
  'previous-version',
  'deployed-version',
  'dashboard-url',
  'smoke-status',
  'smoke-output',
  'duration-ms',
  'phase',
  'error-code',
  'rolled-back',
  'rollout',
  'candidate-status',
  'modal-path',
  'modal-version',
] as const

export type OutputName = (typeof OUTPUT_NAMES)[number]

export type PhaseStatus = 'passed' | 'failed' | 'skipped'

export interface PhaseRecord {
  phase: Phase
  status: PhaseStatus
  durationMs: number
  detail: string
}

export interface ReportedError {
  code: ErrorCode
  message: string
  command?: string
  stderrTail?: string
  /** What to do, when more precise than the code's fix. */
  fix?: Fix
}

export interface CandidateRecord {
  appName: string
  version: number | null
  status: 'passed' | 'failed' | 'not-run'
  stopped: boolean
}

export interface RunReport {
  processorRef: string | null
  imageRef: string | null
  imageDigest: string | null
  environment: string | null
  appName: string | null
  appId: string | null
  tag: string | null
  versionBefore: number | null
  versionAfter: number | null
  /** The version this run created, even if it was rolled back. */
  deployedVersion: number | null
  rolledBack: boolean
  dryRun: boolean
  clientVersion: string | null
  /** The modal command the step ran: the one on PATH, or the action's own environment's. */
  clientPath: string | null
  optionalSecretsMissing: string[]
  deployOutcome: 'deployed' | 'unchanged' | 'not-requested' | null
  dashboardUrl: string | null
  mode: string | null
  smokeStatus: 'passed' | 'failed' | 'not-run' | 'skipped'
  smokeOutput: unknown
  /** Each smoke test's verdict, in the order they ran. */
  smokeTests: SmokeTestRecord[]
  /** The function calls of the smoke phase (Modal's `fc-…` ids), in order: what to look for in Modal's logs. */
  functionCallIds: string[]
  secretsFound: string[]
  phases: PhaseRecord[]
  errors: ReportedError[]
  rollout: 'live' | 'verify-first' | null
  /** Under verify-first: the candidate app, the version its deploy made, its verdict, and whether it was stopped. */
  candidate: CandidateRecord | null
  /** What the reader should know that is not an error (a Modal session that had to be started again). */
  notes: string[]
  durationMs: number
  /** A pull request's preview (`preview` input): deployed, removed (stopped or already gone), or skipped (a fork). */
  preview?: { pullRequest: number | null; outcome: 'deployed' | 'removed' | 'skipped' }
}

export function emptyReport(): RunReport {
  return {
    processorRef: null,
    imageRef: null,
    imageDigest: null,
    environment: null,
    appName: null,
    appId: null,
    tag: null,
    versionBefore: null,
    versionAfter: null,
    deployedVersion: null,
    rolledBack: false,
    dryRun: false,
    clientVersion: null,
    clientPath: null,
    optionalSecretsMissing: [],
    deployOutcome: null,
    dashboardUrl: null,
    mode: null,
    smokeStatus: 'not-run',
    smokeOutput: null,
    smokeTests: [],
    functionCallIds: [],
    secretsFound: [],
    phases: [],
    errors: [],
    rollout: null,
    candidate: null,
    notes: [],
    durationMs: 0,
  }
}

const SMOKE_OUTPUT_LIMIT = 16 * 1024

/** Outputs as strings; unknown values are empty strings so later steps can test them. */
export function reportOutputs(report: RunReport): Record<OutputName, string> {
  const text = (value: string | number | null) => (value === null ? '' : String(value))
  const lastPhase = report.phases.filter((p) => p.status !== 'skipped').at(-1)
  const failedPhase = report.phases.find((p) => p.status === 'failed')
  return {
    'app-name': text(report.appName),
    'app-id': text(report.appId),
    version: text(report.versionAfter),
    'previous-version': text(report.versionBefore),
    'deployed-version': text(report.deployedVersion),
    'dashboard-url': text(report.dashboardUrl),
    'smoke-status': report.smokeStatus,
    'smoke-output': report.smokeOutput === null ? '' : boundedJson(report.smokeOutput),
    'duration-ms': String(report.durationMs),
    phase: (failedPhase ?? lastPhase)?.phase ?? '',
    'error-code': report.errors[0]?.code ?? '',
    'rolled-back': String(report.rolledBack),
    rollout: report.rollout ?? '',
    'candidate-status': report.candidate?.status ?? 'not-run',
    'modal-path': text(report.clientPath),
    'modal-version': text(report.clientVersion),
  }
}

/** The output as JSON; when it is too large, a JSON object saying so, so `fromJSON` still works downstream. */
function boundedJson(value: unknown): string {
  const json = safeJson(value)
  if (json.length <= SMOKE_OUTPUT_LIMIT) return json
  return safeJson({ truncated: true, bytes: json.length, head: json.slice(0, SMOKE_OUTPUT_LIMIT / 2) })
}

/** Untrusted text as Markdown text, bounded; never markup. */
const cell = (value: string | number | null) => markdownCell(value, 4000)

/** A code span in a table cell (see `markdownCode`). */
const code = (value: string | number | null) => markdownCode(value, { inTable: true })

// GitHub drops a job summary over 1 MiB.
const SUMMARY_LIMIT = 1_000_000

const STATUS_ICON: Record<PhaseStatus, string> = { passed: '✅', failed: '❌', skipped: '⏭️' }

const v = versionLabel

function versionChange(report: RunReport): string {
  if (report.dryRun) return `${v(report.versionBefore)} (dry run: nothing deployed)`
  if (report.candidate?.status === 'failed' && report.deployOutcome === null && report.deployedVersion === null) {
    const stayed = report.versionBefore === null ? 'nothing went live' : `${v(report.versionBefore)} stayed live`
    return `${stayed}: the release failed as the candidate ${code(report.candidate.appName)} and was not deployed to the live app`
  }
  if (report.rolledBack)
    return `${v(report.versionBefore)} → ${v(report.deployedVersion)} failed → rolled back, ${v(report.versionBefore)}'s code live as ${v(report.versionAfter)}`
  if (report.deployOutcome === 'unchanged') return `${v(report.versionAfter)} (no changes, nothing redeployed)`
  if (report.deployOutcome === 'not-requested') return `${v(report.versionAfter)} (deploy: false)`
  return `${v(report.versionBefore)} → ${v(report.versionAfter)}`
}

function candidateText(candidate: CandidateRecord): string {
  if (candidate.status === 'not-run') return `verify-first: candidate ${code(candidate.appName)} not run`
  const version = candidate.version === null ? 'not deployed' : v(candidate.version)
  return `verify-first: candidate ${code(candidate.appName)} ${version}, ${candidate.status}, ${candidate.stopped ? 'stopped' : 'not stopped'}`
}

/** The dry run's plan, for the log: what a real run would do. */
export function renderPlan(report: RunReport): string {
  const secrets = `${report.secretsFound.join(', ') || 'none'}${report.optionalSecretsMissing.length ? ` (optional, absent: ${report.optionalSecretsMissing.join(', ')})` : ''}`
  // With deploy: false there is no tag: nothing would be deployed. A version is named only when there is one.
  const live = report.versionBefore === null ? null : v(report.versionBefore)
  const deploy =
    report.tag === null
      ? [
          `  deploy nothing (deploy: false): call ${live === null ? 'the live version' : `the live version ${live}`} of app ${report.appName} in environment ${report.environment}`,
        ]
      : [
          `  deploy ${report.processorRef} as app ${report.appName} to environment ${report.environment}`,
          `  from image ${report.imageRef} (digest ${report.imageDigest})`,
          `  with tag ${report.tag}, ${live === null ? 'as its first version (the app is not deployed yet)' : `replacing the live version ${live}`}`,
          `  attaching secrets: ${secrets}`,
          ...(report.candidate
            ? [`  first as candidate app ${report.candidate.appName}, smoke-tested and stopped; the live app only if it passes`]
            : []),
        ]
  return [
    'Dry run: the checks passed; a real run would:',
    ...deploy,
    `  then call run with mode ${report.mode}. Nothing was changed.`,
  ].join('\n')
}

/** What a fix may name from the run: its values, all validated with the inputs. */
export function fixValuesOf(report: RunReport): FixValues {
  return { env: report.environment, app: report.appName, ref: report.processorRef }
}

/** `values`: what the fixes name (by default the run's own). */
export function renderSummary(report: RunReport, values: FixValues = fixValuesOf(report)): string {
  const failed = report.errors.length > 0
  const headline = failed
    ? `❌ ${report.processorRef ?? 'Processor'} was not deployed cleanly: ${report.errors[0].code}`
    : report.dryRun
      ? `🧪 Dry run for ${report.processorRef} on Modal \`${report.environment}\`: checks passed, nothing changed`
      : report.preview
        ? previewHeadline(report, report.preview)
        : `✅ ${report.processorRef} ${report.deployOutcome === 'deployed' ? 'deployed and smoke-tested' : 'smoke-tested'} on Modal \`${report.environment}\``
  const app = markdownLink(report.appName ?? '', report.dashboardUrl, code(report.appName))
  const rows: [string, string][] = [
    ['Processor', code(report.processorRef)],
    ['Image digest', code(report.imageDigest)],
    ['Environment', code(report.environment)],
    ['App', `${app}${report.appId ? ` (${code(report.appId)})` : ''}`],
    ['Version', versionChange(report)],
    ['Tag', code(report.tag)],
    ...(report.candidate ? [['Rollout', candidateText(report.candidate)] as [string, string]] : []),
    ['Smoke call', `${report.smokeStatus}${report.mode ? ` (mode ${report.mode})` : ''}`],
    ...(report.functionCallIds.length
      ? [['Function calls', report.functionCallIds.map((id) => code(id)).join(', ')] as [string, string]]
      : []),
    ['Secrets found', report.secretsFound.length ? report.secretsFound.map((s) => code(s)).join(', ') : '—'],
    ...(report.optionalSecretsMissing.length
      ? [['Optional secrets absent', report.optionalSecretsMissing.map((s) => code(s)).join(', ')] as [string, string]]
      : []),
    ['Modal client', code(report.clientVersion)],
    ['Total time', secondsText(report.durationMs)],
  ]
  const lines = [`## ${headline}`, '', '| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '']
  lines.push('### Phases', '', '| Phase | Result | Time | Detail |', '| --- | --- | --- | --- |')
  for (const p of report.phases) {
    lines.push(`| ${p.phase} | ${STATUS_ICON[p.status]} ${p.status} | ${secondsText(p.durationMs)} | ${cell(p.detail)} |`)
  }
  const smokeTests = renderSmokeTests(report.smokeTests)
  if (smokeTests.length > 0) lines.push('', ...smokeTests)
  if (failed) {
    lines.push('', '### What to do', '')
    for (const error of report.errors) {
      lines.push(`- **${error.code}**: ${cell(error.message)}  `, `  Fix: ${cell(fixFor(error, 'action', values))}`)
      if (error.command) lines.push(`  Command: ${markdownCode(error.command)}`)
      if (error.stderrTail) lines.push('', ...markdownFence(bounded(error.stderrTail, 6000)).map((l) => `  ${l}`))
    }
  }
  if (report.notes.length > 0) {
    lines.push('', '### Notes', '', ...report.notes.map((note) => `- ${cell(note)}`))
  }
  if (report.smokeStatus === 'passed' && report.smokeOutput !== null) {
    lines.push(
      '',
      '<details><summary>Smoke output</summary>',
      '',
      ...markdownFence(bounded(JSON.stringify(report.smokeOutput, null, 2), 4000), 'json'),
      '',
      '</details>',
    )
  }
  const summary = `${lines.join('\n')}\n`
  return summary.length <= SUMMARY_LIMIT
    ? summary
    : `${summary.slice(0, SUMMARY_LIMIT)}\n\n(The summary was cut at ${SUMMARY_LIMIT} characters.)\n`
}

function previewHeadline(report: RunReport, preview: NonNullable<RunReport['preview']>): string {
  const pr = pullRequestText(preview.pullRequest)
  if (preview.outcome === 'skipped') return `⏭️ No preview of ${report.processorRef} for ${pr}: skipped`
  if (preview.outcome === 'removed')
    return `🧹 Preview ${markdownCode(report.appName)} of ${pr} removed from Modal \`${report.environment}\``
  return `✅ ${report.processorRef}: preview ${markdownCode(report.appName)} of ${pr} deployed and smoke-tested on Modal \`${report.environment}\``
}
