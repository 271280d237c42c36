// Which processors of the catalogue a fleet deploy takes, and the GitHub Actions matrix that runs them: from the
// catalogue now and at a base commit, and the paths changed since. Git is the caller's (cli/matrix.ts).
import * as z from 'zod'
import { catalogueEntry, type CatalogueEntry, type ProcessorCatalogue } from './catalogue.js'
import { ActionError } from './errors.js'
import { GITHUB_MAX_MATRIX_JOBS, packJobs } from './fleet-jobs.js'
import { modalAppNameFromRef } from './naming.js'
import { oneLine } from './untrusted-text.js'

const singleJob = z.object({ 'processor-ref': z.string(), 'app-name': z.string(), 'image-ref': z.string(), 'tool-secrets': z.string() })
/** A job of a fleet past its job limit: several processors, deployed in turn by one `modal-processor deploy --refs`. */
const batchJob = z.object({ 'processor-refs': z.string(), batch: z.string() })

/** The matrix `matrix` prints and `fleet-report --matrix` reads back: per job, the action's inputs for one processor,
 * or (past the job limit) the refs of a batch. */
export const fleetMatrixSchema = z.object({ include: z.array(z.union([singleJob, batchJob])) })

export type FleetMatrix = z.infer<typeof fleetMatrixSchema>
export type MatrixEntry = z.infer<typeof singleJob>
export type BatchEntry = z.infer<typeof batchJob>
/** What a fleet report needs of each planned processor. */
export type PlannedEntry = Pick<MatrixEntry, 'processor-ref' | 'app-name'>

/** What changed since the base commit. Paths are relative to the repository root, with `/`. */
export interface FleetChanges {
  paths: string[]
  /** The catalogue in the base commit; null when the file did not exist there, 'unreadable' when it was broken. */
  baseCatalogue: ProcessorCatalogue | null | 'unreadable'
}

/** Where things are, relative to the repository root (null: outside the repository). */
export interface FleetLayout {
  moduleDir: string | null
  /** Per ref, the processor's own folder (a Map: refs are the file's text, `constructor` included). */
  processorDirs: Map<string, string | null>
}

export interface PlannedProcessor {
  ref: string
  /** Why it is in the plan, for the log. */
  reason: string
}

/** Refs `--only` names that the catalogue lacks (a typo must not plan nothing). */
export function unknownRefs(catalogue: ProcessorCatalogue, only: string[]): string[] {
  return only.filter((ref) => catalogueEntry(catalogue, ref) === undefined)
}

/** The processors to deploy. `changes` null means no base to compare with: all of them. `only` narrows the plan. */
export function planFleet(
  catalogue: ProcessorCatalogue,
  changes: FleetChanges | null,
  layout: FleetLayout,
  only: string[] | null,
): PlannedProcessor[] {
  const refs = Object.keys(catalogue.processors)
  const chosen = only === null ? null : new Set(only)
  const candidates = chosen === null ? refs : refs.filter((ref) => chosen.has(ref))
  // The same for every processor: decided once, not once per processor (a fleet may have a thousand).
  const moduleChanged = changes !== null && layout.moduleDir !== null && changes.paths.some((p) => isUnder(p, layout.moduleDir!))
  return candidates.flatMap((ref) => {
    const reason = changes === null ? 'no base to compare with' : changeReason(ref, catalogue, changes, layout, moduleChanged)
    return reason === null ? [] : [{ ref, reason }]
  })
}

function changeReason(
  ref: string,
  catalogue: ProcessorCatalogue,
  changes: FleetChanges,
  layout: FleetLayout,
  moduleChanged: boolean,
): string | null {
  if (moduleChanged) return `the Modal module changed (${oneLine(layout.moduleDir!)}/)`
  if (changes.baseCatalogue === 'unreadable') return 'the catalogue at the base commit could not be read'
  const before = changes.baseCatalogue === null ? undefined : catalogueEntry(changes.baseCatalogue, ref)
  if (before === undefined) return 'new in the catalogue'
  if (deployFacts(before) !== deployFacts(catalogueEntry(catalogue, ref)!)) return 'its catalogue entry changed'
  const dir = layout.processorDirs.get(ref) ?? null
  if (dir !== null && changes.paths.some((p) => isUnder(p, dir))) return `its files changed (${oneLine(dir)}/)`
  return null
}

/** What of an entry a deploy depends on (the description is prose), in a form that compares by value. */
function deployFacts(entry: CatalogueEntry): string {
  const smoke = [entry.smoke_inputs ?? null, entry.smoke_tests ?? null]
  return JSON.stringify([entry.image.oci, [...entry.tool_secrets].sort(), entry.local_command ?? null, ...smoke])
}

/** Refs in the base catalogue that the catalogue no longer has: their apps keep running until someone stops them. */
export function removedProcessors(catalogue: ProcessorCatalogue, changes: FleetChanges | null): string[] {
  const base = changes?.baseCatalogue
  if (base === null || base === undefined || base === 'unreadable') return []
  return Object.keys(base.processors).filter((ref) => catalogueEntry(catalogue, ref) === undefined)
}

function isUnder(file: string, dir: string): boolean {
  return dir === '' || file === dir || file.startsWith(`${dir}/`)
}

/** The processor's own folder from its local command: the command's folder, or the one above a `bin/` folder. */
export function processorDirOf(localCommand: string): string {
  const parts = localCommand.split('/').slice(0, -1)
  if (parts.at(-1) === 'bin') parts.pop()
  return parts.join('/')
}

/** The matrix for the planned processors. Every ref of the catalogue must follow the naming rule, planned or not:
 * a fleet is planned from the whole file. */
export function fleetMatrix(
  catalogue: ProcessorCatalogue,
  planned: PlannedProcessor[],
  file: string,
  maxJobs = GITHUB_MAX_MATRIX_JOBS,
): FleetMatrix {
  const appNames = new Map<string, string>()
  const problems: string[] = []
  for (const ref of Object.keys(catalogue.processors)) {
    const appName = modalAppNameFromRef(ref)
    // The rule gives each ref its own app (a namespace has no '-'), so no two jobs of the matrix deploy one app.
    if (appName.ok) appNames.set(ref, appName.value)
    else problems.push(`${file}: processors.${ref}: ${appName.error}`)
  }
  if (problems.length > 0) throw new ActionError('ERR_INVALID_REGISTRY', problems.join('\n'))
  if (planned.length > maxJobs) {
    const jobs = packJobs(planned, maxJobs)
    const width = String(jobs.length).length
    return {
      include: jobs.map((job, index) => ({
        'processor-refs': job.map(({ ref }) => ref).join(','),
        batch: `batch-${String(index + 1).padStart(width, '0')}-of-${jobs.length}`,
      })),
    }
  }
  return {
    include: planned.map(({ ref }) => {
      const entry = catalogueEntry(catalogue, ref)!
      return {
        'processor-ref': ref,
        'app-name': appNames.get(ref)!,
        'image-ref': entry.image.oci,
        'tool-secrets': entry.tool_secrets.join(','),
      }
    }),
  }
}

/** Every processor a plan names, in its order, whatever the shape of its jobs (a batch's app names by the rule). */
export function plannedEntries(matrix: FleetMatrix): PlannedEntry[] {
  return matrix.include.flatMap((job) => {
    if ('processor-ref' in job) return [{ 'processor-ref': job['processor-ref'], 'app-name': job['app-name'] }]
    return splitRefs(job['processor-refs']).map((ref) => {
      const appName = modalAppNameFromRef(ref)
      return { 'processor-ref': ref, 'app-name': appName.ok ? appName.value : '' }
    })
  })
}

/** A comma separated list of refs, blanks left out. */
export function splitRefs(text: string): string[] {
  return text
    .split(',')
    .map((ref) => ref.trim())
    .filter((ref) => ref !== '')
}
