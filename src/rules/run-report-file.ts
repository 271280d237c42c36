// The run report as a file (the action's `report-file` input): one JSON document per run, read back by
// `modal-processor fleet-report`. Versioned: a reader refuses a version it does not know rather than misread it.
// Version 2 added `smokeTests`; a version 1 file reads as one without them.
import * as z from 'zod'
import type { RunReport } from './run-report.js'
import { bounded } from './untrusted-text.js'
import { jsonSyntaxProblem } from './json-syntax.js'

export const RUN_REPORT_SCHEMA = 'modal-processor-deploy/run-report'
export const RUN_REPORT_VERSION = 2
/** The versions this reader understands. */
export const READABLE_REPORT_VERSIONS: readonly number[] = [1, 2]

const MESSAGE_LIMIT = 2000

const version = z.number().int().nullable()

const smokeTestRecord = z.object({
  name: z.string(),
  status: z.enum(['passed', 'failed', 'not-run']),
  latencyMs: z.number().nullable(),
  code: z.string().nullable(),
  detail: z.string().nullable(),
})

export const runReportFileSchema = z
  .object({
    schema: z.literal(RUN_REPORT_SCHEMA),
    version: z.union([z.literal(1), z.literal(2)]),
    ok: z.boolean(),
    processorRef: z.string().nullable(),
    appName: z.string().nullable(),
    environment: z.string().nullable(),
    imageRef: z.string().nullable(),
    mode: z.string().nullable(),
    dryRun: z.boolean(),
    deployOutcome: z.enum(['deployed', 'unchanged', 'not-requested']).nullable(),
    versionBefore: version,
    versionAfter: version,
    deployedVersion: version,
    rolledBack: z.boolean(),
    smokeStatus: z.enum(['passed', 'failed', 'not-run', 'skipped']),
    /** Version 2 on; a version 1 file has none (read as an empty list). */
    smokeTests: z.array(smokeTestRecord).optional(),
    errors: z.array(z.object({ code: z.string(), message: z.string() })),
    phases: z.array(z.object({ phase: z.string(), status: z.enum(['passed', 'failed', 'skipped']), durationMs: z.number() })),
    dashboardUrl: z.string().nullable(),
    durationMs: z.number(),
    /** The smoke phase's function calls (`fc-…`); absent from reports written before it existed. */
    functionCallIds: z.array(z.string()).optional(),
  })
  .superRefine((doc, ctx) => {
    if (doc.version >= 2 && doc.smokeTests === undefined) ctx.addIssue({ code: 'custom', path: ['smokeTests'], message: 'missing' })
  })
  .transform((doc) => ({ ...doc, smokeTests: doc.smokeTests ?? [] }))

export type RunReportFile = z.infer<typeof runReportFileSchema>

/** The document the action writes; error messages are bounded (the annotations carry them whole). */
export function runReportFile(report: RunReport): RunReportFile {
  return {
    schema: RUN_REPORT_SCHEMA,
    version: RUN_REPORT_VERSION,
    ok: report.errors.length === 0,
    processorRef: report.processorRef,
    appName: report.appName,
    environment: report.environment,
    imageRef: report.imageRef,
    mode: report.mode,
    dryRun: report.dryRun,
    deployOutcome: report.deployOutcome,
    versionBefore: report.versionBefore,
    versionAfter: report.versionAfter,
    deployedVersion: report.deployedVersion,
    rolledBack: report.rolledBack,
    smokeStatus: report.smokeStatus,
    smokeTests: report.smokeTests.map((test) => ({ ...test, detail: test.detail === null ? null : bounded(test.detail, MESSAGE_LIMIT) })),
    errors: report.errors.map(({ code, message }) => ({ code, message: bounded(message, MESSAGE_LIMIT) })),
    phases: report.phases.map(({ phase, status, durationMs }) => ({ phase, status, durationMs })),
    dashboardUrl: report.dashboardUrl,
    durationMs: report.durationMs,
    functionCallIds: report.functionCallIds,
  }
}

/** Reads a report file's text: the document, or why it cannot be read. */
export function parseRunReportFile(text: string): { ok: true; report: RunReportFile } | { ok: false; problem: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { ok: false, problem: `not JSON (${jsonSyntaxProblem(text)})` }
  }
  const header = z.object({ schema: z.literal(RUN_REPORT_SCHEMA), version: z.number() }).safeParse(json)
  if (!header.success) return { ok: false, problem: `not a run report (no "schema": "${RUN_REPORT_SCHEMA}")` }
  if (!READABLE_REPORT_VERSIONS.includes(header.data.version)) {
    const readable = READABLE_REPORT_VERSIONS.join(' and ')
    return { ok: false, problem: `run report version ${header.data.version}; this CLI reads versions ${readable}` }
  }
  const parsed = runReportFileSchema.safeParse(json)
  if (parsed.success) return { ok: true, report: parsed.data }
  const issue = parsed.error.issues[0]
  return { ok: false, problem: `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}` }
}
