// The action's own Modal client environment, as rules: where it lives, what the cache service keys it by, what the
// marker written last must say for it to be reused, and what a failed `python -m venv` or `pip install` means.
import type { ErrorCode } from './errors.js'

/** The folder under the tool cache that holds every client environment the action made. */
export const TOOL_NAME = 'modal-processor-deploy'

/** Written last into a client environment: its absence means the environment is half-made. */
export const MARKER_FILE = 'modal-processor-deploy-complete.json'

/** Modal 1.5 needs Python 3.10 or later. */
export const MINIMUM_PYTHON: readonly [number, number] = [3, 10]

/** What the interpreter the environment is built from says about itself (see PYTHON_FACTS_SCRIPT). */
export interface PythonFacts {
  version: string
  /** The interpreter's real path: a venv points at it, so an environment made from another one is not reused. */
  executable: string
}

/** Printed by the base interpreter: its version, then its real path, one per line. */
export const PYTHON_FACTS_SCRIPT = 'import os, platform, sys; print(platform.python_version()); print(os.path.realpath(sys.executable))'

export function parsePythonFacts(stdout: string): PythonFacts | null {
  const [version, executable] = stdout.trim().split('\n')
  if (!/^[0-9]+\.[0-9]+\.[0-9]+[a-z0-9+]*$/.test(version ?? '') || !executable?.trim()) return null
  return { version, executable: executable.trim() }
}

/** True when `version` (a.b.c) is at least MINIMUM_PYTHON. */
export function isSupportedPython(version: string): boolean {
  const [major, minor] = version.split('.').map(Number)
  return major > MINIMUM_PYTHON[0] || (major === MINIMUM_PYTHON[0] && minor >= MINIMUM_PYTHON[1])
}

/**
 * The tool cache the environment goes under: the runner's (RUNNER_TOOL_CACHE), else the runner's temporary folder,
 * else the system's (`tmpdir`). Relative values are ignored: the folder must not depend on the working directory.
 */
export function toolCacheRoot(env: NodeJS.ProcessEnv, tmpdir: string): string {
  for (const candidate of [env.RUNNER_TOOL_CACHE, env.RUNNER_TEMP]) if (candidate?.startsWith('/')) return candidate
  return tmpdir
}

/** The runner has a cache service (v1 or v2 of its API); without one the environment lives only as long as the runner. */
export function hasCacheService(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL)
}

/** `<tool cache>/modal-processor-deploy/<modal-version>/<python-version>` (POSIX runners: the venv has bin/). */
export function clientEnvironmentDir(toolCache: string, modalVersion: string, pythonVersion: string): string {
  return [toolCache.replace(/\/+$/, ''), TOOL_NAME, modalVersion, pythonVersion].join('/')
}

/** The cache service's key: one environment per OS, architecture, Python version and modal-version. */
export function clientCacheKey(facts: { os: string; arch: string; pythonVersion: string; modalVersion: string }): string {
  const part = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_')
  return [
    TOOL_NAME,
    'client',
    part(facts.os),
    part(facts.arch),
    `python${part(facts.pythonVersion)}`,
    `modal${part(facts.modalVersion)}`,
    'v1',
  ].join('-')
}

export interface Marker {
  modalVersion: string
  pythonVersion: string
  baseExecutable: string
}

export function markerText(marker: Marker): string {
  return `${JSON.stringify(marker)}\n`
}

/** A marker says the environment is complete and was made for exactly this client and interpreter. */
export function markerMatches(text: string | null, expected: Marker): boolean {
  if (text === null) return false
  try {
    const found = JSON.parse(text) as Partial<Marker>
    return (
      found.modalVersion === expected.modalVersion &&
      found.pythonVersion === expected.pythonVersion &&
      found.baseExecutable === expected.baseExecutable
    )
  } catch {
    return false
  }
}

/** The step of the install that failed. */
export type InstallStage = 'venv' | 'pip'

export type InstallFailureKind = 'externally-managed' | 'venv-missing' | 'network' | 'not-found' | 'other'

export interface InstallVerdict {
  code: ErrorCode
  kind: InstallFailureKind
  /** One sentence on what the output says, for the message. */
  reason: string
}

const EXTERNALLY_MANAGED = /externally-managed-environment|This environment is externally managed/i
// Debian and Ubuntu ship venv without ensurepip unless python3-venv is installed; some builds lack venv altogether.
const VENV_MISSING = /ensurepip is not\s+available|No module named '?(venv|ensurepip)'?|apt(?:-get)? install (python3[0-9.]*-venv)/i
const NETWORK =
  /Failed to establish a new connection|Temporary failure in name resolution|Name or service not known|Network is unreachable|Connection (refused|reset)|ConnectTimeoutError|ReadTimeoutError|Read timed out|SSLError|ProxyError|Could not fetch URL/i
const NOT_FOUND = /No matching distribution found for|Could not find a version that satisfies the requirement/i

/** What a failed `python -m venv` or `pip install` printed means, and the error code that carries the right fix. */
export function judgeInstallFailure(stage: InstallStage, output: string): InstallVerdict {
  if (EXTERNALLY_MANAGED.test(output)) {
    return {
      code: 'ERR_PYTHON_EXTERNALLY_MANAGED',
      kind: 'externally-managed',
      reason: 'pip refused to install into an externally managed Python (PEP 668)',
    }
  }
  if (stage === 'venv' && VENV_MISSING.test(output)) {
    return {
      code: 'ERR_PYTHON_VENV_MISSING',
      kind: 'venv-missing',
      reason: `this Python cannot make virtual environments (its venv/ensurepip module is missing: apt-get install ${venvPackage(output)})`,
    }
  }
  if (NETWORK.test(output)) {
    return { code: 'ERR_MODAL_INSTALL_FAILED', kind: 'network', reason: 'pip could not reach the package index (a network failure)' }
  }
  if (NOT_FOUND.test(output)) {
    return {
      code: 'ERR_MODAL_INSTALL_FAILED',
      kind: 'not-found',
      reason: 'the package index has no such modal version for this Python',
    }
  }
  return { code: 'ERR_MODAL_INSTALL_FAILED', kind: 'other', reason: `${stage === 'venv' ? 'python -m venv' : 'pip install'} failed` }
}

/** The Debian package the venv message names (python3.12-venv), or python3-venv. */
function venvPackage(output: string): string {
  const named = /apt(?:-get)? install (python3[0-9.]*-venv)/i.exec(output)
  return named ? named[1] : 'python3-venv'
}
