// `modal-processor matrix`: the GitHub Actions matrix of a fleet deploy, one job per processor of the catalogue (past
// --max-jobs, batches of them); with --changed-since, only those a change since that commit touches.
import { appendFileSync, existsSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { readCatalogueFile } from '../flow/catalogue-file.js'
import { parseCatalogue, type ProcessorCatalogue } from '../rules/catalogue.js'
import { leadsOut } from '../platform/files.js'
import { ActionError } from '../rules/errors.js'
import { GITHUB_MAX_MATRIX_JOBS, parseMaxJobs, planSummary } from '../rules/fleet-jobs.js'
import {
  fleetMatrix,
  planFleet,
  processorDirOf,
  removedProcessors,
  splitRefs,
  unknownRefs,
  type FleetChanges,
  type FleetLayout,
} from '../rules/fleet-plan.js'
import { modalAppNameFromRef } from '../rules/naming.js'
import { logLine, oneLine } from '../rules/untrusted-text.js'
import { openGit, type Git } from './git.js'
import { lastSuccessfulCommit, workflowContext } from './last-success.js'
import { catalogueFileFromFlags } from './catalogue-flag.js'
import type { CliIo } from './io.js'
import { optionalFlag, UsageError, type Flags } from './options.js'

const DEFAULT_MODULE_DIR = 'modal'
/** What a push event gives as `github.event.before` for a new branch: no base to compare with. */
const NO_COMMIT = /^0{40}$/

export async function matrixCommand(flags: Flags, io: CliIo): Promise<number> {
  const file = catalogueFileFromFlags(flags, io)
  const catalogueFile = path.resolve(io.cwd, file)
  const catalogue = await readCatalogueFile(catalogueFile, file)
  if (catalogue === null)
    throw new ActionError('ERR_INVALID_REGISTRY', `There is no processor catalogue ${file} (looked in ${catalogueFile}).`)
  const maxJobs = maxJobsFlag(optionalFlag(flags, 'max-jobs'))
  const only = onlyRefs(optionalFlag(flags, 'only'))
  const unknown = unknownRefs(catalogue, only ?? [])
  if (unknown.length > 0) {
    const known = Object.keys(catalogue.processors).join(', ') || 'none'
    throw new UsageError(`--only names ${unknown.map((ref) => `'${oneLine(ref)}'`).join(', ')}, not in ${file} (it has ${known}).`)
  }
  const { changes, layout, noBase } = await changesToPlan(flags, io, catalogue, catalogueFile, file)
  const planned = planFleet(catalogue, changes, layout, only)
  const matrix = fleetMatrix(catalogue, planned, file, maxJobs)
  const jobs = matrix.include.length
  // Without a base every processor has the same reason: one line says it, rather than one a processor.
  if (noBase !== null) io.err(`${logLine(`${noBase}: ${planningAll(planned.length, only !== null)}`)}\n`)
  // A fleet of hundreds would print hundreds of lines: one summary, each processor's reason with --verbose.
  if (flags.verbose === true) io.err(planned.map(({ ref, reason }) => `${logLine(`${ref}: ${reason}`)}\n`).join(''))
  if (planned.length > 0 && (noBase === null || jobs < planned.length)) {
    const size = Object.keys(catalogue.processors).length
    const summary = planSummary(
      planned.map(({ reason }) => reason),
      jobs,
      size,
    )
    io.err(`${logLine(`${summary}${flags.verbose === true || noBase !== null ? '' : ' --verbose lists each processor.'}`)}\n`)
  }
  for (const ref of removedProcessors(catalogue, changes)) {
    const app = modalAppNameFromRef(ref)
    const stop = app.ok ? `: modal app stop ${app.value} --env <env> stops it` : ''
    io.err(`${logLine(`${ref}: removed from the catalogue; its app keeps running${stop}`)}\n`)
  }
  if (planned.length === 0) io.err('No processor to deploy.\n')
  const json = JSON.stringify(matrix)
  io.out(`${json}\n`)
  // Every value is a validated ref, app name, image ref or secret name: one line each, no delimiter needed.
  if (io.env.GITHUB_OUTPUT) appendFileSync(io.env.GITHUB_OUTPUT, `matrix=${json}\ncount=${matrix.include.length}\n`)
  return 0
}

function planningAll(count: number, narrowed: boolean): string {
  const processors = `${count} processor${count === 1 ? '' : 's'}`
  return narrowed ? `planning the ${processors} --only names` : `planning all ${processors}`
}

/**
 * What changed since the base the flags name, and where things are. Without a base (none given, or none to be had)
 * `changes` is null, every processor is planned, and `noBase` says why.
 */
async function changesToPlan(
  flags: Flags,
  io: CliIo,
  catalogue: ProcessorCatalogue,
  catalogueFile: string,
  file: string,
): Promise<{ changes: FleetChanges | null; layout: FleetLayout; noBase: string | null }> {
  const all = (noBase: string) => ({ changes: null, layout: { moduleDir: null, processorDirs: new Map() }, noBase })
  const since = optionalFlag(flags, 'changed-since')
  const lastSuccess = flags['since-last-success'] === true
  if (since !== undefined && lastSuccess) throw new UsageError('Give --changed-since or --since-last-success, not both.')
  // Checked first, whatever the plan turns out to be: a mistyped folder must not wait for the next push to show.
  const givenModuleDir = optionalFlag(flags, 'module-dir')
  const namedModuleDir = givenModuleDir === undefined ? undefined : moduleFolder(await openGit(io.cwd, io.env), givenModuleDir)
  if (since === undefined && !lastSuccess) return all('no base given')
  const base = lastSuccess ? await lastSuccessfulCommit(workflowContext(io.env)) : since!
  if (base === null) return all('this workflow has no successful run on this branch yet')
  if (NO_COMMIT.test(base)) return all(`--changed-since ${base} names no commit (a new branch)`)
  const git = await openGit(io.cwd, io.env)
  const commit = await resolveBase(git, base, lastSuccess)
  if (commit === null) return all(`the last successful run's commit ${base} is not in this repository's history (rewritten?)`)
  const moduleDir = namedModuleDir ?? fromRoot(git, path.join(git.root, DEFAULT_MODULE_DIR))
  return {
    changes: await changesSince(git, await forkPoint(git, commit, io), catalogueFile, file),
    layout: repositoryLayout(git, catalogue, catalogueFile, moduleDir),
    noBase: null,
  }
}

/**
 * What to compare with: where HEAD's history meets the commit's (three dots, as a pull request's diff), so that a base
 * branch that moved on since the branch forked does not count its own changes as this branch's. For a commit HEAD
 * descends from (a push's before), that is the commit itself. With no meeting point to be found, the commit itself,
 * said on stderr: more is planned, never less.
 */
async function forkPoint(git: Git, commit: string, io: CliIo): Promise<string> {
  const base = await git.mergeBase(commit)
  if (base !== null) return base
  const why = (await git.isShallow()) ? 'this shallow clone lacks the history where they meet' : 'their histories never meet'
  io.err(
    `${logLine(`${commit.slice(0, 12)} and HEAD have no common commit (${why}): comparing with ${commit.slice(0, 12)} itself, so the changes made after it on its own branch count too. actions/checkout with fetch-depth: 0 fetches the whole history.`)}\n`,
  )
  return commit
}

/** --module-dir, relative to the repository root like the action's modal-module-dir (to the workspace): an existing
 * folder inside the repository, as a path from its root. */
function moduleFolder(git: Git, given: string): string {
  const dir = path.resolve(git.root, given)
  const named = `--module-dir '${oneLine(given)}'`
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`${named} is not a folder (looked in ${dir}); it is relative to the repository root ${git.root}.`)
  }
  const inRepo = fromRoot(git, dir)
  if (inRepo === null) throw new UsageError(`${named} is outside the repository ${git.root}.`)
  return inRepo
}

/** The base commit; null for a last successful run whose commit history no longer has. */
async function resolveBase(git: Git, base: string, lastSuccess: boolean): Promise<string | null> {
  const named = lastSuccess ? `The last successful run's commit ${base}` : `--changed-since '${oneLine(base)}'`
  if (base.trim() === '' || base.startsWith('-')) throw new UsageError(`${named} is not a git ref.`)
  const commit = await git.commitOf(base)
  if (commit !== null) return commit
  if (await git.isShallow()) {
    throw new UsageError(
      `${named} is not in this shallow clone: fetch the history it needs (actions/checkout with fetch-depth: 0, or git fetch --deepen).`,
    )
  }
  if (lastSuccess) return null
  throw new UsageError(`${named} is not a commit, branch or tag of this repository.`)
}

function maxJobsFlag(value: string | undefined): number {
  if (value === undefined) return GITHUB_MAX_MATRIX_JOBS
  const maxJobs = parseMaxJobs(value)
  if (maxJobs === null) throw new UsageError(`--max-jobs '${oneLine(value)}' is not a whole number from 1 to ${GITHUB_MAX_MATRIX_JOBS}.`)
  return maxJobs
}

function onlyRefs(value: string | undefined): string[] | null {
  if (value === undefined) return null
  const refs = splitRefs(value)
  if (refs.length === 0) throw new UsageError('--only needs at least one processor ref, e.g. --only llm/litellm@1.')
  return refs
}

/** A path from the repository root with `/`, or null when it is outside the repository. */
function fromRoot(git: Git, target: string): string | null {
  const real = existsSync(target) ? realpathSync(target) : target
  const relative = path.relative(git.root, real)
  if (leadsOut(relative)) return null
  return relative.split(path.sep).join('/')
}

function repositoryLayout(git: Git, catalogue: ProcessorCatalogue, catalogueFile: string, moduleDir: string | null): FleetLayout {
  const processorDirs = new Map(
    Object.entries(catalogue.processors).map(([ref, entry]) => {
      if (entry.local_command === undefined) return [ref, null]
      return [ref, fromRoot(git, path.resolve(path.dirname(catalogueFile), processorDirOf(entry.local_command)))]
    }),
  )
  return { moduleDir, processorDirs }
}

async function changesSince(git: Git, commit: string, catalogueFile: string, file: string): Promise<FleetChanges> {
  const inRepo = fromRoot(git, catalogueFile)
  if (inRepo === null)
    throw new UsageError(`--changed-since compares the catalogue with git, but ${file} is outside the repository ${git.root}.`)
  const before = await git.fileAt(commit, inRepo)
  let baseCatalogue: FleetChanges['baseCatalogue'] = null
  if (before !== null) {
    try {
      baseCatalogue = parseCatalogue(before, `${file} at ${commit.slice(0, 12)}`)
    } catch {
      // Broken at the base: nothing to compare with, so every processor counts as changed.
      baseCatalogue = 'unreadable'
    }
  }
  return { paths: await git.changedSince(commit), baseCatalogue }
}
