// `modal-processor fleet-report FILE…`: one table for a fleet deploy, from the run report files its jobs wrote
// (the action's `report-file`). Exit 0 when every processor passed, 1 otherwise.
import { appendFileSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fleetMatrixSchema, type MatrixEntry } from '../rules/fleet-plan.js'
import { fleetRows, fleetVerdict, renderFleetReport, type ReadReport } from '../rules/fleet-report.js'
import { parseRunReportFile } from '../rules/run-report-file.js'
import { safeJson, visibleControls } from '../rules/untrusted-text.js'
import type { CliIo } from './io.js'
import { optionalFlag, UsageError, type Flags } from './options.js'

/** A report file is one small JSON document; anything larger is not one. */
const MAX_REPORT_BYTES = 1024 * 1024

export function fleetReportCommand(flags: Flags, files: string[], io: CliIo): number {
  const planned = plannedFrom(optionalFlag(flags, 'matrix'), io.cwd)
  if (files.length === 0 && planned === null)
    throw new UsageError('Give the run report files, e.g. modal-processor fleet-report reports/*.json.')
  const rows = fleetRows(
    files.map((file) => readReport(path.resolve(io.cwd, file), file)),
    planned,
  )
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
function plannedFrom(given: string | undefined, cwd: string): MatrixEntry[] | null {
  if (given === undefined) return null
  let json = given
  if (!given.trimStart().startsWith('{')) {
    try {
      json = readFileSync(path.resolve(cwd, given), 'utf8')
    } catch (error) {
      throw new UsageError(
        `--matrix is neither the plan's JSON nor a file that can be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`,
      )
    }
  }
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (error) {
    throw new UsageError(`--matrix is not JSON (${(error as Error).message}): give the plan's output, {"include":[…]}.`)
  }
  const parsed = fleetMatrixSchema.safeParse(value)
  if (!parsed.success) throw new UsageError(`--matrix is not the output of modal-processor matrix ({"include":[…]}).`)
  return parsed.data.include
}

function readReport(filePath: string, file: string): ReadReport {
  try {
    if (statSync(filePath).size > MAX_REPORT_BYTES) return { file, ok: false, problem: `larger than ${MAX_REPORT_BYTES} bytes` }
    return { file, ...parseRunReportFile(readFileSync(filePath, 'utf8')) }
  } catch (error) {
    return { file, ok: false, problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }
  }
}
