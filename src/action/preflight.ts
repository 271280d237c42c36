// Inputs and preflight: everything needed is known to exist before anything changes.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { ActionError } from '../rules/errors.js'
import { parseInputs, readRawInputs, reportFileOf, type Settings } from './inputs.js'
import { bounded, oneLine } from '../rules/untrusted-text.js'
import { FileRefused, isSameFile, writeTarget, type KeptFile } from '../platform/files.js'
import {
  isSupportedClientVersion,
  MINIMUM_CLIENT_VERSION,
  ModalClient,
  type PreflightFindings,
  type SessionConnector,
} from '../modal/client.js'
import { ensureModalClient, type ModalInstallation } from '../modal/install.js'
import { Failures } from './phases.js'
import { applyCatalogue } from '../rules/catalogue.js'
import { readCatalogueFile } from './catalogue-file.js'
import { DEFAULT_RETRY } from '../rules/retry.js'
import { requiredSecrets, secretCreateCommand, type SecretRequirement } from '../rules/secrets-policy.js'
import type { SessionProcess } from '../modal/session-process.js'
import type { Toolkit } from './toolkit.js'

export function workspacePath(kit: Toolkit, relative: string): string {
  return path.resolve(kit.env.GITHUB_WORKSPACE ?? process.cwd(), relative)
}

export interface ReportFileTarget {
  /** Where the run report is written; null when none is asked for, or when it may not go there. */
  path: string | null
  problem: ActionError | null
}

/**
 * The report-file input as a place in the workspace (file boundary rules in src/platform/files.ts): its real path inside
 * the workspace, never a symlink, a folder or another kind of non-regular file, nor the processor catalogue.
 */
export async function reportFileTarget(kit: Toolkit): Promise<ReportFileTarget> {
  const given = reportFileOf(kit.getInput)
  if (given === '') return { path: null, problem: null }
  const workspace = workspacePath(kit, '.')
  const target = workspacePath(kit, given)
  const refuse = (why: string) => ({
    path: null,
    problem: new ActionError(
      'ERR_INVALID_INPUT',
      `report-file '${bounded(oneLine(given), 300)}' ${why}; give the path of a file inside the workspace such as reports/run.json.`,
    ),
  })
  try {
    await writeTarget(workspace, target)
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error
    if (error.problem === 'outside') return refuse('is outside the workspace')
    // What only the write can tell (a path through a regular file, no permission) is a warning then, not a lost report.
    if (error.problem !== 'unreadable') return refuse(bounded(oneLine(error.message), 500))
  }
  const kept = keptFromReportFile(kit)
  if (kept !== null && (await isSameFile(kept.file, target))) return refuse(`is ${kept.name}`)
  return { path: target, problem: null }
}

/** The file the report file may never replace: the processor catalogue, checked again when the report is written. */
export function keptFromReportFile(kit: Toolkit): KeptFile | null {
  const catalogue = readRawInputs(kit.getInput)['registry-file'].trim()
  return catalogue === '' ? null : { file: workspacePath(kit, catalogue), name: 'the processor catalogue (registry-file)' }
}

/** Raw inputs, completed from the processor catalogue, validated into settings: every problem at once. */
export async function validateInputs(kit: Toolkit): Promise<Settings> {
  const raw = readRawInputs(kit.getInput)
  const problems: ActionError[] = []
  let completed = raw
  try {
    const file = raw['registry-file'].trim()
    completed = applyCatalogue(
      raw,
      file === '' ? null : await readCatalogueFile(workspacePath(kit, file), file),
      file || 'the processor catalogue',
    )
  } catch (error) {
    if (!(error instanceof ActionError)) throw error
    problems.push(error)
  }
  const reportFile = (await reportFileTarget(kit)).problem
  if (reportFile !== null) problems.push(reportFile)
  const parsed = parseInputs(completed)
  if (!parsed.ok) {
    // With the registry already failing, or no catalogue entry to look up for an invalid ref, an empty image-ref
    // says nothing new.
    const refInvalid = parsed.errors.some((e) => e.code === 'ERR_INVALID_PROCESSOR_REF')
    const imageEmpty = completed['image-ref'].trim() === '' && (problems.length > 0 || refInvalid)
    problems.push(...parsed.errors.filter((e) => !(imageEmpty && e.code === 'ERR_INVALID_IMAGE_REF')))
  }
  if (problems.length > 0 || !parsed.ok) throw new Failures(problems)
  return parsed.settings
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

/** The step's Modal client; the first check finds (or installs) the client and starts the session. */
export function connectClient(
  kit: Toolkit,
  settings: Settings,
  deployLog: { write(line: string): void },
  sessions: SessionSource,
): ModalClient {
  return clientFor(kit, () => ensureModalClient(kit.env, settings.modalVersion, (line) => kit.info(line)), deployLog, sessions)
}

/** Where the step's Modal sessions come from: a process the entry point started early, or a connector (tests). */
export interface SessionSource {
  prestarted?: SessionProcess | null
  connect?: SessionConnector
}

/** The Modal client wired to a toolkit: retries reported as warnings, the deploy's output to `deployLog`. */
export function clientFor(
  kit: Toolkit,
  locate: () => Promise<ModalInstallation>,
  deployLog: { write(line: string): void },
  sessions: SessionSource = {},
): ModalClient {
  return new ModalClient({
    locate,
    actionRoot: kit.actionRoot,
    ...sessions,
    env: kit.env,
    retry: DEFAULT_RETRY,
    hooks: {
      sleep: kit.sleep,
      random: kit.random,
      onRetry: (retry, delayMs, reason) =>
        kit.annotate(
          'warning',
          'Retrying a transient Modal failure',
          `Attempt ${retry} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)}s.`,
        ),
    },
    onOutputLine: (line) => deployLog.write(line),
    onTiming: (what, durationMs) => kit.debug(`modal time: ${what} ${durationMs} ms`),
  })
}

/** What the preflight found: the client, the secrets, and the app as it is before this run changes anything. */
export interface Preflight {
  clientVersion: string | null
  secrets: PreflightFindings['secrets']
  app: PreflightFindings['app']
  /** The live version before this run; null when the app was never deployed. */
  liveVersion: number | null
}

/** Token, environment, every secret and the app's history, through the step's Modal session. */
export async function runPreflight(client: ModalClient, settings: Settings): Promise<Preflight> {
  const found = await client.preflight(
    settings.environment,
    settings.appName,
    requiredSecrets(settings),
    settings.timeouts.preflight * 1000,
  )
  return { ...found, liveVersion: found.app.exists ? (found.app.history[0]?.version ?? null) : null }
}

/** What stops the run before anything changes: an old client, every missing secret at once, no app to call. */
export function preflightProblems(preflight: Preflight, settings: Settings): ActionError[] {
  if (preflight.clientVersion !== null && !isSupportedClientVersion(preflight.clientVersion)) {
    return [
      new ActionError(
        'ERR_MODAL_CLIENT_TOO_OLD',
        `The Modal client on this runner is ${preflight.clientVersion}; this action needs ${MINIMUM_CLIENT_VERSION} or later (version-pinned calls). Install it with: pip install modal==${settings.modalVersion}`,
      ),
    ]
  }
  const problems = secretProblems(requiredSecrets(settings), preflight, settings.environment)
  if (!settings.deploy && !preflight.app.exists) {
    problems.push(
      new ActionError(
        'ERR_FUNCTION_NOT_FOUND',
        `deploy is false but app '${settings.appName}' is not deployed in environment '${settings.environment}', so there is no run function to call. Check with: modal app list --env ${settings.environment}`,
      ),
    )
  }
  return problems
}

export const secretsFound = (preflight: Preflight) => preflight.secrets.filter((s) => s.status === 'found').map((s) => s.name)
export const optionalSecretsMissing = (preflight: Preflight) =>
  preflight.secrets.filter((s) => s.optional && s.status !== 'found').map((s) => s.name)

function secretProblems(secrets: SecretRequirement[], found: Preflight, environment: string): ActionError[] {
  return found.secrets.flatMap((status) => {
    const secret = secrets.find((s) => s.name === status.name)
    if (!secret || status.status === 'found' || status.optional) return []
    if (status.status === 'missing') {
      return [
        new ActionError(
          'ERR_MISSING_SECRET',
          `Modal secret '${secret.name}' does not exist in environment '${environment}'. Create it with: ${secretCreateCommand(secret, environment)}`,
        ),
      ]
    }
    return [
      new ActionError(
        'ERR_SECRET_MISSING_KEYS',
        `Modal secret '${secret.name}' in environment '${environment}' lacks key(s) ${status.missingKeys.join(', ')}. Recreate it with: ${secretCreateCommand(secret, environment, true)}`,
      ),
    ]
  })
}
