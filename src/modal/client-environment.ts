// The action's own Modal client: a virtual environment under the runner's tool cache, made with `python -m venv`
// and pip, reused while its marker (written last) matches, restored from and saved to the cache service when the
// runner has one. Never pip outside a venv: PEP 668 Pythons refuse that.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  clientCacheKey,
  clientEnvironmentDir,
  isSupportedPython,
  judgeInstallFailure,
  MARKER_FILE,
  markerMatches,
  markerText,
  MINIMUM_PYTHON,
  parsePythonFacts,
  PYTHON_FACTS_SCRIPT,
  toolCacheRoot,
  type InstallStage,
  type Marker,
} from '../rules/client-install.js'
import { ActionError } from '../rules/errors.js'
import { LockTimeout, withFolderLock, type LockOwner } from '../platform/folder-lock.js'
import { isCancelled, runProcess, type ProcessResult } from '../platform/process.js'
import { tail } from './output.js'

/** A folder carried from one job to the next (the runner's cache service). */
export interface FolderCache {
  /** True when the folder was restored from `key`. */
  restore(folder: string, key: string): Promise<boolean>
  save(folder: string, key: string): Promise<void>
}

/** Where the install's lines go: the step log, grouped. */
export interface InstallLog {
  info(line: string): void
  /** Lines other programs printed (pip): untrusted text. */
  output(lines: string[]): void
  group<T>(title: string, body: () => Promise<T>): Promise<T>
}

export interface ClientEnvironmentOptions {
  env: NodeJS.ProcessEnv
  modalVersion: string
  log: InstallLog
  /** The cache service, when the runner has one (loaded only then: it is a large bundle). */
  cache: () => Promise<FolderCache | null>
  /** How long to wait for another job making the same environment (default: as long as its install may take). */
  lockWaitMs?: number
}

/** How the environment came to be there, for the log and the benchmark. */
export type EnvironmentSource = 'reused' | 'restored' | 'installed'

export interface ClientEnvironment {
  modalPath: string
  python: string
  source: EnvironmentSource
  dir: string
}

const VENV_TIMEOUT_MS = 2 * 60 * 1000
const PIP_TIMEOUT_MS = 5 * 60 * 1000
/** Another job's install, with a cache restore and save around it. */
const LOCK_WAIT_MS = VENV_TIMEOUT_MS + PIP_TIMEOUT_MS + 3 * 60 * 1000

/** The client environment for `modalVersion` on `basePython`: reused, restored, or made now. */
export async function provideClientEnvironment(basePython: string, options: ClientEnvironmentOptions): Promise<ClientEnvironment> {
  const { env, modalVersion, log } = options
  const ready = findCompleteEnvironment(basePython, env, modalVersion)
  if (ready !== null) {
    log.info(`Using the Modal client environment in ${ready.dir} (modal==${modalVersion}).`)
    return ready
  }
  const facts = await pythonFacts(basePython, env)
  const dir = clientEnvironmentDir(toolCacheRoot(env, os.tmpdir()), modalVersion, facts.version)
  const marker: Marker = { modalVersion, pythonVersion: facts.version, baseExecutable: facts.executable }
  if (isComplete(dir, marker)) {
    log.info(`Using the Modal client environment in ${dir} (modal==${modalVersion}, Python ${facts.version}).`)
    return environmentAt(dir, 'reused')
  }
  // Another job of this machine may be making the same environment (a shared tool cache, or the temporary folder):
  // one at a time, and the one that waited uses what the other made.
  return holdingInstallLock(dir, options, async () => {
    if (isComplete(dir, marker)) {
      log.info(`Using the Modal client environment another job made in ${dir} (modal==${modalVersion}).`)
      return environmentAt(dir, 'reused')
    }
    return restoreOrInstall(basePython, dir, marker, facts.version, options)
  })
}

/** Restored from the cache service when it has it; else installed now (and saved for the next jobs). */
async function restoreOrInstall(
  basePython: string,
  dir: string,
  marker: Marker,
  pythonVersion: string,
  options: ClientEnvironmentOptions,
): Promise<ClientEnvironment> {
  const { modalVersion, log } = options
  const cache = await options.cache()
  const key = clientCacheKey({ os: process.platform, arch: process.arch, pythonVersion, modalVersion })
  if (cache !== null) {
    const restored = await log.group(`Restore the Modal client environment (${key})`, async () => {
      await rm(dir, { recursive: true, force: true })
      return (await cache.restore(dir, key)) && isComplete(dir, marker)
    })
    if (restored) {
      log.info(`Restored the Modal client environment in ${dir} from the cache service.`)
      return environmentAt(dir, 'restored')
    }
  }
  await log.group(`Install modal==${modalVersion} into ${dir}`, () => install(basePython, dir, marker, options))
  if (cache !== null) await log.group(`Save the Modal client environment (${key})`, () => cache.save(dir, key))
  return environmentAt(dir, 'installed')
}

/** `body` while this process alone may make `dir`; a wait past `lockWaitMs` is ERR_MODAL_INSTALL_FAILED. */
async function holdingInstallLock<T>(
  dir: string,
  { log, lockWaitMs = LOCK_WAIT_MS }: ClientEnvironmentOptions,
  body: () => Promise<T>,
): Promise<T> {
  const onWait = (owner: LockOwner | null) =>
    log.info(`Another job${owner ? ` (process ${owner.pid})` : ''} is making ${dir}: waiting for it, at most ${lockWaitMs / 1000}s.`)
  try {
    return await withFolderLock(dir, { waitMs: lockWaitMs, onWait, stopped: isCancelled }, body)
  } catch (error) {
    if (!(error instanceof LockTimeout)) throw error
    if (error.stopped) throw new ActionError('ERR_CANCELLED', `The job was cancelled while it waited for another job to make ${dir}.`)
    throw new ActionError(
      'ERR_MODAL_INSTALL_FAILED',
      `Another install of the Modal client into ${dir} (${error.owner ? `process ${error.owner.pid} on ${error.owner.host}` : 'its owner unknown'}) did not end within ${Math.round(error.waitedMs / 1000)}s.`,
      { fix: `When no other job is installing it, remove ${error.lock} and run the step again.` },
    )
  }
}

/**
 * A complete environment for `modalVersion` made from this very interpreter file (its marker names the real path),
 * found without starting Python: the warm path, and what the entry point starts its early session with.
 */
export function findCompleteEnvironment(basePython: string, env: NodeJS.ProcessEnv, modalVersion: string): ClientEnvironment | null {
  try {
    const baseExecutable = realpathSync(basePython)
    const versions = path.dirname(clientEnvironmentDir(toolCacheRoot(env, os.tmpdir()), modalVersion, 'any'))
    for (const pythonVersion of readdirSync(versions)) {
      const dir = path.join(versions, pythonVersion)
      if (isComplete(dir, { modalVersion, pythonVersion, baseExecutable })) return environmentAt(dir, 'reused')
    }
  } catch {
    // no interpreter there, or no environment for this version yet
  }
  return null
}

function environmentAt(dir: string, source: EnvironmentSource): ClientEnvironment {
  return { ...venvPaths(dir), source, dir }
}

function venvPaths(dir: string): { modalPath: string; python: string } {
  return { modalPath: path.join(dir, 'bin', 'modal'), python: path.join(dir, 'bin', 'python') }
}

/** Complete: the marker was written (last) for this client and interpreter, and the commands are there. */
function isComplete(dir: string, marker: Marker): boolean {
  const { modalPath, python } = venvPaths(dir)
  let text: string | null = null
  try {
    text = readFileSync(path.join(dir, MARKER_FILE), 'utf8')
  } catch {
    // no marker: not there, or half-made
  }
  return markerMatches(text, marker) && existsSync(modalPath) && existsSync(python)
}

async function install(
  basePython: string,
  dir: string,
  marker: Marker,
  { env, modalVersion, log }: ClientEnvironmentOptions,
): Promise<void> {
  if (existsSync(dir)) log.info(`${dir} is incomplete (no marker of a finished install): removing it and installing again.`)
  await rm(dir, { recursive: true, force: true })
  await mkdir(path.dirname(dir), { recursive: true })
  const quiet = installEnv(env)
  const started = Date.now()
  await step('venv', basePython, ['-m', 'venv', dir], quiet, VENV_TIMEOUT_MS, dir, log)
  const pipArgs = [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-input',
    '--retries',
    '1',
    '--timeout',
    '20',
    `modal==${modalVersion}`,
  ]
  await step('pip', venvPaths(dir).python, pipArgs, quiet, PIP_TIMEOUT_MS, dir, log)
  if (!existsSync(venvPaths(dir).modalPath)) {
    await rm(dir, { recursive: true, force: true })
    throw new ActionError('ERR_MODAL_INSTALL_FAILED', `pip installed modal==${modalVersion} into ${dir} but it has no bin/modal command.`)
  }
  // Written last, and whole (a rename): a marker is there only for an environment that is complete.
  const markerPath = path.join(dir, MARKER_FILE)
  await writeFile(`${markerPath}.tmp`, markerText(marker))
  await rename(`${markerPath}.tmp`, markerPath)
  log.info(`Installed modal==${modalVersion} in ${((Date.now() - started) / 1000).toFixed(1)}s.`)
}

/** One command of the install; a failure removes the half-made environment and says what it means. */
async function step(
  stage: InstallStage,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  dir: string,
  log: InstallLog,
): Promise<ProcessResult> {
  const commandText = [command, ...args].join(' ')
  log.info(commandText)
  const result = await runProcess(command, args, { env, timeoutMs })
  const output = `${result.stdout}\n${result.stderr}`.trim()
  if (result.exitCode === 0 && !result.timedOut && !result.cancelled) {
    // pip's last lines say what it installed; a hundred lines of downloads would bury them.
    if (output) log.output(tail(output, 3, 1000).split('\n'))
    return result
  }
  await rm(dir, { recursive: true, force: true })
  if (result.cancelled) throw new ActionError('ERR_CANCELLED', `The job was cancelled while ${commandText} ran; it was stopped.`)
  const verdict = judgeInstallFailure(stage, output)
  const how = result.timedOut ? `ran past ${timeoutMs / 1000}s and was stopped` : `failed (exit code ${result.exitCode})`
  throw new ActionError(
    verdict.code,
    `Installing the Modal client: ${stage === 'venv' ? 'python -m venv' : 'pip install'} ${how}: ${verdict.reason}.`,
    {
      command: commandText,
      stderrTail: tail(result.stderr || result.stdout, 20, 2000),
    },
  )
}

/** The base interpreter's version and real path; a Python too old for Modal is refused before anything is made. */
async function pythonFacts(python: string, env: NodeJS.ProcessEnv): Promise<{ version: string; executable: string }> {
  const result = await runProcess(python, ['-c', PYTHON_FACTS_SCRIPT], { env: installEnv(env), timeoutMs: 30000 })
  const facts = result.exitCode === 0 ? parsePythonFacts(result.stdout) : null
  if (facts === null) {
    throw new ActionError('ERR_MODAL_CLI_MISSING', `modal is not on PATH and ${python} could not be asked for its version.`, {
      command: `${python} -c ${PYTHON_FACTS_SCRIPT}`,
      stderrTail: tail(result.stderr || result.stdout),
    })
  }
  if (!isSupportedPython(facts.version)) {
    throw new ActionError(
      'ERR_MODAL_CLI_MISSING',
      `modal is not on PATH and ${python} is Python ${facts.version}: the Modal client needs Python ${MINIMUM_PYTHON.join('.')} or later.`,
    )
  }
  return facts
}

/** pip and venv get the step's environment without the action's inputs (the GitHub token among them). */
function installEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('INPUT_'))), PYTHONIOENCODING: 'utf-8' }
}
