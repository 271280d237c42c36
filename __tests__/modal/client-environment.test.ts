// The action's own client environment, for real: `python -m venv` and pip on the system's externally managed Python
// (PEP 668), installing a stand-in modal wheel from a local folder (no network). Few tests: each new environment costs
// seconds on this machine.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { FolderCache, InstallLog } from '../../src/modal/client-environment.js'
import { ensureModalClient } from '../../src/modal/install.js'
import { prestartSession } from '../../src/modal/session-process.js'
import { judgeInstallFailure, MARKER_FILE } from '../../src/rules/client-install.js'
import { ActionError } from '../../src/rules/errors.js'
import { REPO_ROOT } from '../../testing/harness/emulator.mjs'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { heldBy } from '../support/held-lock.js'
import { offlinePipEnv, standInWheelFolder } from '../../testing/harness/stand-in-wheel.mjs'

// The distribution's Python: externally managed on Debian 12 and Ubuntu 24.04, as on a runner without setup-python.
const SYSTEM_PYTHON = '/usr/bin/python3'
const systemVersion = execFileSync(SYSTEM_PYTHON, ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim()
const externallyManaged =
  spawnSync(SYSTEM_PYTHON, [
    '-c',
    'import sys, sysconfig, os; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)',
  ]).status === 0

/** A PATH with python3 (the system's) and nothing else: no modal command. */
function pathWithOnlyPython(): string {
  const bin = scratchDir('python-only-')
  symlinkSync(SYSTEM_PYTHON, path.join(bin, 'python3'))
  return bin
}

function recordingLog() {
  const lines: string[] = []
  const groups: string[] = []
  const log: InstallLog = {
    info: (line) => lines.push(line),
    output: (output) => lines.push(...output),
    group: async (title, body) => {
      groups.push(title)
      return body()
    },
  }
  return { log, lines, groups }
}

/** The cache service as a folder of saved copies, one per key (a stand-in for @actions/cache on a runner). */
function folderCache() {
  const store = scratchDir('cache-store-')
  const calls: string[] = []
  const cache: FolderCache = {
    restore: async (folder, key) => {
      calls.push(`restore ${key}`)
      if (!existsSync(path.join(store, key))) return false
      cpSync(path.join(store, key), folder, { recursive: true, verbatimSymlinks: true })
      return true
    },
    save: async (folder, key) => {
      calls.push(`save ${key}`)
      cpSync(folder, path.join(store, key), { recursive: true, verbatimSymlinks: true })
    },
  }
  return { cache, calls }
}

const wheels = standInWheelFolder()
const noWheels = scratchDir('no-wheels-')
const PATH = pathWithOnlyPython()

function options(toolCache: string, wheelFolder: string, cache: FolderCache | null, log: InstallLog) {
  return {
    env: { PATH, HOME: scratchDir('home-'), RUNNER_TOOL_CACHE: toolCache, PIP_NO_CACHE_DIR: '1', ...offlinePipEnv(wheelFolder) },
    modalVersion: '1.5.4',
    log,
    cache: async () => cache,
  }
}

describe('the client environment on an externally managed Python', () => {
  const toolCache = scratchDir('tool-cache-')
  const venv = path.join(toolCache, 'modal-processor-deploy', '1.5.4', systemVersion)
  const { cache, calls } = folderCache()

  test('the first run installs modal into a venv of its own under the tool cache and saves it; a second job at the same time waits for it and uses what it made: one pip install', async () => {
    const first = recordingLog()
    const second = recordingLog()
    const [found, foundBySecond] = await Promise.all([
      ensureModalClient(options(toolCache, wheels, cache, first.log)),
      ensureModalClient(options(toolCache, wheels, cache, second.log)),
    ])
    expect(found).toEqual({ modalPath: path.join(venv, 'bin', 'modal'), python: path.join(venv, 'bin', 'python') })
    expect(foundBySecond).toEqual(found)
    expect(execFileSync(found.python, ['-c', 'import modal; print(modal.__version__)'], { encoding: 'utf8' }).trim()).toBe('1.5.4')
    expect(existsSync(path.join(venv, MARKER_FILE))).toBe(true)
    // Whichever job took the lock first installed; the other found the lock held and waited for it.
    const [installer, waiter] = first.groups.length > 0 ? [first, second] : [second, first]
    expect(installer.groups).toEqual([
      expect.stringMatching(/^Restore the Modal client environment \(modal-processor-deploy-client-linux-/),
      `Install modal==1.5.4 into ${venv}`,
      expect.stringMatching(/^Save the Modal client environment/),
    ])
    expect(waiter.groups).toEqual([])
    expect(waiter.lines.join('\n')).toMatch(/Another job \(process \d+\) is making .*: waiting for it/)
    expect(waiter.lines.join('\n')).toContain(`Using the Modal client environment another job made in ${venv}`)
    expect(existsSync(`${venv}.lock`)).toBe(false)
    expect(calls).toEqual([expect.stringMatching(/^restore /), expect.stringMatching(/^save /)])
  })

  test('the second run reuses it: no pip (it has no wheels to install from), no cache', async () => {
    const markerTime = statSync(path.join(venv, MARKER_FILE)).mtimeMs
    const { log, lines, groups } = recordingLog()
    const found = await ensureModalClient(options(toolCache, noWheels, cache, log))
    expect(found.modalPath).toBe(path.join(venv, 'bin', 'modal'))
    expect(groups).toEqual([])
    expect(lines.join('\n')).toContain(`Using the Modal client environment in ${venv}`)
    expect(statSync(path.join(venv, MARKER_FILE)).mtimeMs).toBe(markerTime)
    expect(calls).toHaveLength(2)
  })

  test("the entry point starts its early session with that environment's Python, for that modal-version only", () => {
    const env = { ...options(toolCache, noWheels, null, recordingLog().log).env, 'INPUT_MODAL-VERSION': ' 1.5.4 ' }
    const session = prestartSession(env, REPO_ROOT)
    expect(session?.child.spawnargs[0]).toBe(path.join(venv, 'bin', 'python'))
    session?.kill()
    expect(prestartSession({ ...env, 'INPUT_MODAL-VERSION': '1.5.3' }, REPO_ROOT)).toBeNull()
  })

  test('a runner without the environment restores it from the cache service, without pip', async () => {
    rmSync(path.join(toolCache, 'modal-processor-deploy'), { recursive: true })
    const { log, lines } = recordingLog()
    const found = await ensureModalClient(options(toolCache, noWheels, cache, log))
    expect(lines.join('\n')).toContain('Restored the Modal client environment')
    expect(execFileSync(found.modalPath, ['--version'], { encoding: 'utf8' })).toContain('1.5.4')
  })
})

describe('a job that waits for another', () => {
  test('an install that holds the lock too long is ERR_MODAL_INSTALL_FAILED, naming its process and the lock to remove', async () => {
    const toolCache = scratchDir('tool-cache-')
    const venv = path.join(toolCache, 'modal-processor-deploy', '1.5.4', systemVersion)
    const holder = spawn('sleep', ['30'])
    try {
      heldBy(venv, { pid: holder.pid, host: hostname() })
      const error = await ensureModalClient({ ...options(toolCache, wheels, null, recordingLog().log), lockWaitMs: 300 }).catch(
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(ActionError)
      expect((error as ActionError).code).toBe('ERR_MODAL_INSTALL_FAILED')
      expect((error as ActionError).message).toContain(`(process ${holder.pid} on ${hostname()}) did not end within`)
      expect((error as ActionError).details.fix).toBe(`When no other job is installing it, remove ${venv}.lock and run the step again.`)
      expect(existsSync(venv)).toBe(false) // nothing made, nothing removed
      expect(existsSync(`${venv}.lock`)).toBe(true)
    } finally {
      holder.kill()
    }
  })
})

describe('a half-made environment', () => {
  test('(no marker) is removed and made again', async () => {
    const toolCache = scratchDir('tool-cache-')
    const venv = path.join(toolCache, 'modal-processor-deploy', '1.5.4', systemVersion)
    mkdirSync(path.join(venv, 'bin'), { recursive: true })
    writeFileSync(path.join(venv, 'left-by-a-cancelled-job'), '')
    const { log, lines, groups } = recordingLog()
    const found = await ensureModalClient(options(toolCache, wheels, null, log))
    expect(lines.join('\n')).toContain(`${venv} is incomplete (no marker of a finished install): removing it`)
    expect(groups).toEqual([`Install modal==1.5.4 into ${venv}`])
    expect(readdirSync(venv)).not.toContain('left-by-a-cancelled-job')
    expect(existsSync(path.join(venv, MARKER_FILE))).toBe(true)
    expect(existsSync(found.modalPath)).toBe(true)
  })

  test('a failed pip install leaves nothing behind and names the command, pip’s last lines and the code', async () => {
    const toolCache = scratchDir('tool-cache-')
    const { log } = recordingLog()
    const failure = await ensureModalClient(options(toolCache, noWheels, null, log)).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ActionError)
    const error = failure as ActionError
    expect(error.code).toBe('ERR_MODAL_INSTALL_FAILED')
    expect(error.message).toMatch(/pip install failed \(exit code 1\): the package index has no such modal version/)
    expect(error.details.command).toMatch(/\/bin\/python -m pip install .*modal==1\.5\.4$/)
    expect(error.details.stderrTail).toContain('No matching distribution found for modal==1.5.4')
    expect(readdirSync(path.join(toolCache, 'modal-processor-deploy', '1.5.4'))).toEqual([])
  })
})

describe('pip outside a venv', () => {
  ;(externallyManaged ? test : test.skip)('on this system Python is refused (PEP 668), and judged so', () => {
    const pip = spawnSync(SYSTEM_PYTHON, ['-m', 'pip', 'install', '--no-input', 'modal==1.5.4'], {
      encoding: 'utf8',
      env: { PATH, HOME: scratchDir('home-'), ...offlinePipEnv(noWheels) },
    })
    expect(pip.status).not.toBe(0)
    expect(judgeInstallFailure('pip', `${pip.stdout}\n${pip.stderr}`).code).toBe('ERR_PYTHON_EXTERNALLY_MANAGED')
  })
})
