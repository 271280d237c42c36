// The run's report, published on every path: outputs, annotations, the job summary and the run report file, with
// known secret values removed first.
import { closingLine } from '../rules/closing-line.js'
import { fixFor, type FixValues } from '../rules/errors.js'
import { fixValuesFrom } from '../rules/fix-values.js'
import { redactor, redactValue } from '../rules/redaction.js'
import { fixValuesOf, renderSummary, reportOutputs, type ReportedError, type RunReport } from '../rules/run-report.js'
import { runReportFile } from '../rules/run-report-file.js'
import type { RawInputs } from '../rules/settings.js'
import { bounded, oneLine, safeJson } from '../rules/untrusted-text.js'
import { tail } from '../modal/output.js'
import { writeRegularFile } from '../platform/files.js'
import { keptFromReportFile } from './inputs-phase.js'
import type { Toolkit } from './toolkit.js'

/** Where the run report file goes: `file`, written only inside `root` (the workspace). */
export type ReportPlace = { root: string; file: string }

function annotationText(error: ReportedError, kit: Toolkit, values: FixValues): string {
  const parts = [bounded(error.message, 4000)]
  if (error.command) parts.push(`Command: ${error.command}`)
  if (error.stderrTail) parts.push(`Last output:\n${tail(error.stderrTail, 30, 3000)}`)
  parts.push(`Fix: ${fixFor(error, kit.surface, values)}`)
  return parts.join('\n')
}

/** The values the fixes name: the run's, or (when the inputs were refused) those of the inputs that are valid. */
function fixValues(raw: RawInputs, report: RunReport): FixValues {
  const given = fixValuesFrom({ env: raw['modal-environment'], ref: raw['processor-ref'], app: raw['app-name'], command: 'deploy' })
  const run = fixValuesOf(report)
  return { env: run.env ?? given.env, ref: run.ref ?? given.ref, app: run.app ?? given.app, command: given.command }
}

/**
 * Outputs, annotations and summary: written on every path, with known secret values removed first. Each writer fails
 * alone, with a warning: a report that cannot be written where one is asked never hides the others.
 */
export async function publish(
  kit: Toolkit,
  raw: RawInputs,
  report: RunReport,
  secretValues: string[],
  reportFile: ReportPlace | null,
): Promise<void> {
  const redact = redactor(secretValues)
  // `kit` redacts what it writes; the report's errors are redacted in place too, before any truncation can cut a value
  // in two (the CLI prints them as JSON).
  // The smoke output is cut to size when it becomes an output: redacted first, so no cut leaves half a secret.
  report.smokeOutput = redactValue(report.smokeOutput, redact)
  for (const error of report.errors) {
    error.message = redact(error.message)
    if (error.stderrTail) error.stderrTail = redact(error.stderrTail)
    if (error.command) error.command = redact(error.command)
  }
  for (const test of report.smokeTests) if (test.detail !== null) test.detail = redact(test.detail)
  const unwritten: string[] = []
  for (const [name, value] of Object.entries(reportOutputs(report))) {
    try {
      kit.setOutput(name, value)
    } catch (error) {
      unwritten.push(`${name} (${(error as Error).message})`)
    }
  }
  if (unwritten.length > 0)
    kit.annotate('warning', 'Outputs not written', `The step's outputs could not be written: ${unwritten.join('; ')}`)
  for (const error of report.errors) kit.annotate('error', error.code, annotationText(error, kit, fixValues(raw, report)))
  const closing = closingLine(report)
  if (closing !== null) kit.info(closing)
  if (report.errors.length > 0) kit.fail()
  await Promise.resolve()
    .then(() => kit.writeSummary(renderSummary(report, fixValues(raw, report))))
    .catch((error: Error) => kit.annotate('warning', 'Job summary not written', error.message))
  if (reportFile !== null) {
    // Checked again as it is written: the deploy ran the user's module, which may have put a symlink there since.
    const json = redact(`${safeJson(runReportFile(report), 2)}\n`)
    await writeRegularFile(reportFile.root, reportFile.file, json, keptFromReportFile(kit, raw)).catch((error: Error) =>
      kit.annotate(
        'warning',
        'Report file not written',
        `${bounded(oneLine(reportFile.file), 500)} ${bounded(oneLine(error.message), 500)}`,
      ),
    )
  }
}
