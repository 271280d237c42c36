// `modal-processor fleet-report FILE…`: one table for a fleet deploy, from the run report files its jobs wrote
// (the action's `report-file`). Exit 0 when every processor passed, 1 otherwise.
import { appendFileSync } from 'node:fs'
import path from 'node:path'
import { fleetMatrixSchema, plannedEntries, type PlannedEntry } from '../rules/fleet-plan.js'
import { fleetRows, fleetVerdict, renderFleetReport, type ReadReport } from '../rules/fleet-report.js'
import { parseRunReportFile } from '../rules/run-report-file.js'
import { bounded, oneLine, safeJson, visibleControls } from '../rules/untrusted-text.js'
import { FileRefused, readRegularFile } from '../platform/files.js'
import type { CliIo } from './io.js'
import { optionalFlag, UsageError, type Flags } from './options.js'
import { jsonSyntaxProblem } from '../rules/json-syntax.js'

/** A report file is one small JSON document, and so is a plan (GitHub runs at most 256 jobs of a matrix). */
const MAX_REPORT_BYTES = 1024 * 1024
const MAX_PLAN_BYTES = 1024 * 1024

export async function fleetReportCommand(flags: Flags, files: string[], io: CliIo): Promise<number> {
  const planned = await plannedFrom(optionalFlag(flags, 'matrix'), io.cwd)
  if (files.length === 0 && planned === null)
    throw new UsageError('Give the run report files, e.g. modal-processor fleet-report reports/*.json.')
  // One at a time: a fleet has at most 256 reports, and reading them in turn keeps at most one 1 MiB buffer alive.
  const reports: ReadReport[] = []
  for (const file of files) reports.push(await readReport(path.resolve(io.cwd, file), file))
  const rows = fleetRows(reports, planned)
  const verdict = fleetVerdict(rows)
  if (flags.json) {
    io.out(`${safeJson({ ok: verdict.ok, verdict: verdict.text, processors: rows }, 2)}\n`)
  } else {
    // Every cell is escaped and bounded already; no control reaches the terminal or the summary whatever else is said.
    const markdown = visibleControls(renderFleetReport(rows, verdict))
    io.out(markdown)
    if (io.env.GITHUB_STEP_SUMMARY) appendFileSync(io.env.GITHUB_STEP_SUMMARY, markdown)
  }
  return verdict.ok ? 0 : 1
}

/** The plan, given as its JSON text or as a file that holds it. */
async function plannedFrom(given: string | undefined, cwd: string): Promise<PlannedEntry[] | null> {
  if (given === undefined) return null
  let json = given
  if (!given.trimStart().startsWith('{')) {
    try {
      json = await readRegularFile(path.resolve(cwd, given), MAX_PLAN_BYTES)
    } catch (error) {
      if (!(error instanceof FileRefused)) throw error
      throw new UsageError(
        `--matrix is neither the plan's JSON nor a file that can be read: '${bounded(oneLine(given), 300)}' ${error.message}. Give the output of modal-processor matrix, or the file that holds it.`,
      )
    }
  }
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    throw new UsageError(`--matrix is not JSON (${jsonSyntaxProblem(json)}): give the plan's output, {"include":[…]}.`)
  }
  const parsed = fleetMatrixSchema.safeParse(value)
  if (!parsed.success) throw new UsageError(`--matrix is not the output of modal-processor matrix ({"include":[…]}).`)
  return plannedEntries(parsed.data)
}

async function readReport(filePath: string, file: string): Promise<ReadReport> {
  try {
    return { file, ...parseRunReportFile(await readRegularFile(filePath, MAX_REPORT_BYTES)) }
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error
    return { file, ok: false, problem: error.message }
  }
}
