// `modal-processor deploy --ref A --ref B …` (or --refs A,B): each processor deployed in turn through one Modal
// session, every one attempted whatever happened to the others, a run report each in --report-dir, and a summary.
import path from 'node:path'
import { batchSession } from '../flow/batch-session.js'
import { DEFAULT_MODAL_VERSION } from '../flow/inputs.js'
import { readCatalogueFile } from '../flow/catalogue-file.js'
import { CATALOGUE_FLAGS, chooseCatalogueFile } from '../rules/catalogue-alias.js'
import { splitRefs, unknownRefs } from '../rules/fleet-plan.js'
import { modalAppNameFromRef } from '../rules/naming.js'
import { didYouMean } from '../rules/ref-suggestions.js'
import type { RunReport } from '../rules/run-report.js'
import { bounded, logLine, logText, oneLine, safeJson } from '../rules/untrusted-text.js'
import { deployOne, jsonResult } from './deploy.js'
import type { CliIo } from './io.js'
import { optionalFlag, UsageError, type Flags } from './options.js'

/** What names one processor's values, and so cannot serve several. */
const ONE_PROCESSOR_FLAGS = ['image-ref', 'tool-secrets', 'app-name', 'report-file']
/** An error's message in the summary: its first words; the full text was printed when it happened. */
const SUMMARY_MESSAGE_CHARS = 300

/** The refs of --ref (given once or more) and --refs, in the order given; at least one, none twice. */
export function refsFromFlags(flags: Flags): string[] {
  const given = flags.ref
  const refs = [
    ...(Array.isArray(given) ? given : typeof given === 'string' ? [given] : []),
    ...splitRefs(optionalFlag(flags, 'refs') ?? ''),
  ]
  if (refs.length === 0) throw new UsageError("Missing option '--ref' (or --refs A,B).")
  const twice = refs.find((ref, i) => refs.indexOf(ref) !== i)
  if (twice !== undefined) throw new UsageError(`The processor ref '${oneLine(twice)}' is given twice.`)
  return refs
}

export async function deployBatch(flags: Flags, io: CliIo, refs: string[], environment: string): Promise<number> {
  const reportDir = optionalFlag(flags, 'report-dir')
  if (reportDir !== undefined && reportDir.trim() === '') throw new UsageError('--report-dir needs a folder, e.g. --report-dir reports.')
  const oneProcessor = ONE_PROCESSOR_FLAGS.filter((name) => optionalFlag(flags, name) !== undefined)
  if (oneProcessor.includes('report-file') && reportDir !== undefined) throw new UsageError('Give --report-file or --report-dir, not both.')
  if (refs.length > 1 && oneProcessor.length > 0) {
    const named = oneProcessor.map((name) => `--${name}`).join(', ')
    throw new UsageError(
      `${named} name${oneProcessor.length === 1 ? 's' : ''} one processor's values; with several refs each comes from the catalogue (and --report-dir holds a report each).`,
    )
  }
  // Without --image-ref every processor's image comes from the catalogue: a ref it lacks (a typo) is known now,
  // offline, and must not wait for its turn after the ones before it deployed.
  if (!oneProcessor.includes('image-ref')) await checkRefsInCatalogue(flags, io, refs)
  const quiet = flags.quiet === true
  const say = (line: string) => {
    if (!quiet) io.err(`${logLine(line)}\n`)
  }
  // The client is found (or installed) once for the batch; what pip prints is untrusted text, one line each.
  const log = {
    info: say,
    output: (lines: string[]) => lines.forEach((line) => say(`  ${line}`)),
    group: async <T>(title: string, body: () => Promise<T>) => {
      say(title)
      return body()
    },
  }
  const session = await batchSession({ env: io.env, actionRoot: io.actionRoot, modalVersion: DEFAULT_MODAL_VERSION, log }, io.connect)
  const results: (Awaited<ReturnType<typeof deployOne>> & { ref: string })[] = []
  try {
    for (const [index, ref] of refs.entries()) {
      say(`━━ [${index + 1}/${refs.length}] ${ref} → ${environment}`)
      const reportFile = reportDir === undefined ? '' : path.join(reportDir, `${reportName(ref, index)}.json`)
      results.push({ ref, ...(await deployOne(flags, io, ref, reportFile, session.connect)) })
    }
  } finally {
    await session.close()
  }
  const passed = results.filter((result) => result.ok).length
  const ok = passed === results.length
  if (flags.json) {
    const processors = results.map(({ ref, ok, report, kit, inputs }) => ({ ref, ...jsonResult(ok, report, kit, inputs) }))
    io.out(`${safeJson({ ok, sessions: session.started, processors }, 2)}\n`)
  } else {
    const sessions = `${session.started} Modal session${session.started === 1 ? '' : 's'}`
    const lines = results.map(({ ref, ok, report }) => summaryLine(ref, ok, report))
    io.out(`${logText([...lines, `${passed} of ${results.length} processors passed (${sessions}).`].join('\n'))}\n`)
  }
  return ok ? 0 : 1
}

/** Every ref is an entry of the catalogue the flags name; else a UsageError naming each ref that is not, and its flag. */
async function checkRefsInCatalogue(flags: Flags, io: CliIo, refs: string[]): Promise<void> {
  // The file as the flow will choose it; its deprecation line (--registry) is printed by the flow.
  const choice = chooseCatalogueFile(optionalFlag(flags, 'catalogue') ?? null, optionalFlag(flags, 'registry') ?? null, CATALOGUE_FLAGS)
  if (!choice.ok) throw choice.error
  // Read where the flow reads it (flow/inputs-phase.ts workspacePath).
  const catalogue = await readCatalogueFile(path.resolve(io.env.GITHUB_WORKSPACE ?? io.cwd, choice.file), choice.file)
  const known = catalogue === null ? [] : Object.keys(catalogue.processors)
  const unknown = catalogue === null ? refs : unknownRefs(catalogue, refs)
  if (unknown.length === 0) return
  const byRef = [flags.ref].flat()
  const where = catalogue === null ? `there is no processor catalogue ${choice.file}` : `not in ${choice.file}`
  const lines = unknown.map((ref) => {
    const flag = byRef.includes(ref) ? '--ref' : '--refs'
    return `${flag} '${oneLine(bounded(ref, 200))}': ${where}.${didYouMean(ref, known)}`
  })
  throw new UsageError(
    `${lines.join('\n')}\nNothing was deployed: every processor's image comes from the catalogue (${CATALOGUE_FLAGS.current} names it).`,
  )
}

/** The report's file name: the app name the ref gives (unique per ref), or its place in the batch for a bad ref. */
function reportName(ref: string, index: number): string {
  const appName = modalAppNameFromRef(ref)
  return appName.ok ? appName.value : `processor-${index + 1}`
}

function summaryLine(ref: string, ok: boolean, report: RunReport): string {
  if (!ok) {
    const [first] = report.errors
    return `✗ ${ref}: ${first.code}: ${bounded(oneLine(first.message), SUMMARY_MESSAGE_CHARS)}${report.errors.length > 1 ? ` (+${report.errors.length - 1} more)` : ''}`
  }
  const what = report.dryRun ? 'dry run passed, nothing changed' : `v${report.versionAfter} live, smoke call ${report.smokeStatus}`
  return `✓ ${ref} → ${report.appName} in ${report.environment}: ${what}`
}
