// The inputs phase: the raw inputs, completed from the processor catalogue, validated into settings, with the report
// file's place and the module folder checked too: every problem at once, before anything changes.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { applyCatalogue, catalogueSmokeTests, DEFAULT_CATALOGUE_FILE } from '../rules/catalogue.js'
import { aliasNotice, CATALOGUE_FLAGS, CATALOGUE_INPUTS, chooseCatalogueFile, type CatalogueChoice } from '../rules/catalogue-alias.js'
import { ActionError } from '../rules/errors.js'
import type { RawInputs, Settings } from '../rules/settings.js'
import type { SmokeTest } from '../rules/smoke-tests.js'
import { bounded, oneLine } from '../rules/untrusted-text.js'
import { FileRefused, isSameFile, writeTarget, type KeptFile } from '../platform/files.js'
import { readCatalogueFile } from './catalogue-file.js'
import { parseInputs } from './inputs.js'
import { Failures } from './phases.js'
import type { Toolkit } from './toolkit.js'

export function workspacePath(kit: Toolkit, relative: string): string {
  return path.resolve(kit.env.GITHUB_WORKSPACE ?? process.cwd(), relative)
}

export interface ReportFileTarget {
  /** Where the run report is written; null when none is asked for, or when it may not go there. */
  path: string | null
  /** The folder it must stay inside when written: the workspace, or the runner's temporary folder. */
  root: string
  problem: ActionError | null
}

/**
 * The report-file input as a place in the workspace or in the runner's temporary folder (RUNNER_TEMP, the runner's own
 * place for such files), by the file boundary rules of src/platform/files.ts: its real path inside one of them, never
 * a symlink, a folder or another kind of non-regular file, nor the processor catalogue.
 */
export async function reportFileTarget(kit: Toolkit, raw: RawInputs): Promise<ReportFileTarget> {
  const given = raw['report-file'].trim()
  const workspace = workspacePath(kit, '.')
  if (given === '') return { path: null, root: workspace, problem: null }
  const target = workspacePath(kit, given)
  const runnerTemp = kit.env.RUNNER_TEMP?.trim() ? path.resolve(kit.env.RUNNER_TEMP) : null
  const refuse = (why: string) => ({
    path: null,
    root: workspace,
    problem: new ActionError(
      'ERR_INVALID_INPUT',
      `report-file '${bounded(oneLine(given), 300)}' ${why}; give the path of a file inside the workspace such as reports/run.json${runnerTemp === null ? '' : ' (or under RUNNER_TEMP)'}.`,
    ),
  })
  let root: string | null = null
  for (const candidate of runnerTemp === null ? [workspace] : [workspace, runnerTemp]) {
    try {
      await writeTarget(candidate, target)
    } catch (error) {
      if (!(error instanceof FileRefused)) throw error
      if (error.problem === 'outside') continue
      // What only the write can tell (a path through a regular file, no permission) is a warning then, not a lost report.
      if (error.problem !== 'unreadable') return refuse(bounded(oneLine(error.message), 500))
    }
    root = candidate
    break
  }
  if (root === null) return refuse(runnerTemp === null ? 'is outside the workspace' : 'is outside the workspace and RUNNER_TEMP')
  for (const kept of keptFromReportFile(kit, raw)) {
    if (await isSameFile(kept.file, target)) return refuse(`is ${kept.name}`)
  }
  return { path: target, root, problem: null }
}

/** The catalogue file the inputs name: catalogue-file, or its v1 alias registry-file when catalogue-file is left at
 * its default (the runner gives the default, so a catalogue-file equal to it counts as not given). */
export function catalogueChoice(raw: RawInputs): CatalogueChoice {
  const given = raw['catalogue-file'].trim()
  const alias = raw['registry-file'].trim()
  return chooseCatalogueFile(given === DEFAULT_CATALOGUE_FILE ? null : given, alias === '' ? null : alias, CATALOGUE_INPUTS)
}

/** The files the report file may never replace: the processor catalogue (both files named, when the inputs name two
 * and the run is refused for it), checked again when the report is written. */
export function keptFromReportFile(kit: Toolkit, raw: RawInputs): KeptFile[] {
  const choice = catalogueChoice(raw)
  const names = kit.surface === 'cli' ? CATALOGUE_FLAGS : CATALOGUE_INPUTS
  const named = choice.ok
    ? [[choice.file, choice.aliasUsed ? names.alias : names.current]]
    : [
        [raw['catalogue-file'].trim(), names.current],
        [raw['registry-file'].trim(), names.alias],
      ]
  return named
    .filter(([file]) => file !== '')
    .map(([file, input]) => ({ file: workspacePath(kit, file), name: `the processor catalogue (${input})` }))
}

/** The inputs completed from the catalogue they name, and its smoke tests; a problem with it goes to `problems`. */
async function completeFromCatalogue(
  kit: Toolkit,
  raw: RawInputs,
  problems: ActionError[],
): Promise<{ completed: RawInputs; smokeTests: SmokeTest[] | null }> {
  const choice = catalogueChoice(raw)
  if (!choice.ok) {
    problems.push(choice.error)
    return { completed: raw, smokeTests: null }
  }
  if (choice.aliasUsed) kit.annotate('warning', 'Deprecated input', aliasNotice(CATALOGUE_INPUTS))
  const file = choice.file
  try {
    const catalogue = file === '' ? null : await readCatalogueFile(workspacePath(kit, file), file)
    const noImageRef = kit.surface === 'cli' ? 'no --image-ref was given' : 'image-ref is empty'
    const completed = applyCatalogue(raw, catalogue, file || 'the processor catalogue', noImageRef)
    return { completed, smokeTests: catalogueSmokeTests(raw, catalogue) }
  } catch (error) {
    if (!(error instanceof ActionError)) throw error
    problems.push(error)
    return { completed: raw, smokeTests: null }
  }
}

/** Raw inputs, completed from the processor catalogue, validated into settings: every problem at once. */
export async function validateInputs(kit: Toolkit, raw: RawInputs): Promise<Settings> {
  const problems: ActionError[] = []
  const { completed, smokeTests } = await completeFromCatalogue(kit, raw, problems)
  const reportFile = (await reportFileTarget(kit, raw)).problem
  if (reportFile !== null) problems.push(reportFile)
  const parsed = parseInputs(completed)
  if (!parsed.ok) {
    // With the catalogue already failing, or no catalogue entry to look up for an invalid ref, an empty image-ref
    // says nothing new.
    const refInvalid = parsed.errors.some((e) => e.code === 'ERR_INVALID_PROCESSOR_REF')
    const imageEmpty = completed['image-ref'].trim() === '' && (problems.length > 0 || refInvalid)
    problems.push(...parsed.errors.filter((e) => !(imageEmpty && e.code === 'ERR_INVALID_IMAGE_REF')))
  }
  if (problems.length > 0 || !parsed.ok) throw new Failures(problems)
  return smokeTests === null ? parsed.settings : { ...parsed.settings, smokeTests }
}

/** The folder `modal deploy -m modal_app` runs in: the user's own, or the module shipped with the action. */
export function moduleDirectory(kit: Toolkit, settings: Settings): string {
  if (settings.moduleDir === null) return path.join(kit.actionRoot, 'modal')
  const dir = workspacePath(kit, settings.moduleDir)
  if (!existsSync(path.join(dir, 'modal_app.py'))) {
    throw new ActionError('ERR_INVALID_INPUT', `modal-module-dir '${settings.moduleDir}' has no modal_app.py (looked in ${dir}).`)
  }
  return dir
}
