// Finds the Modal client, or installs the pinned version with pip when the runner has none.
import { accessSync, constants, readFileSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { ActionError } from '../rules/errors.js'
import { tail } from './output.js'
import { runProcess } from '../platform/process.js'

export interface ModalInstallation {
  modalPath: string
  python: string
}

const INSTALL_TIMEOUT_MS = 5 * 60 * 1000

export async function ensureModalClient(env: NodeJS.ProcessEnv, version: string, log: (line: string) => void): Promise<ModalInstallation> {
  const existing = findOnPath('modal', env)
  if (existing) return { modalPath: existing, python: pythonForModal(existing) }
  const python = findOnPath('python3', env) ?? findOnPath('python', env)
  if (!python) {
    throw new ActionError(
      'ERR_MODAL_CLI_MISSING',
      'Neither modal nor Python is on PATH: add actions/setup-python (Python 3.10+) before this step.',
    )
  }
  log(`modal is not on PATH: installing modal==${version} with ${python} -m pip`)
  const args = [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-input',
    '--retries',
    '1',
    '--timeout',
    '20',
    `modal==${version}`,
  ]
  const install = await runProcess(python, args, { env, timeoutMs: INSTALL_TIMEOUT_MS })
  if (install.exitCode !== 0 || install.timedOut) {
    throw new ActionError(
      'ERR_MODAL_CLI_MISSING',
      `modal is not on PATH and pip install modal==${version} failed (exit code ${install.exitCode}).`,
      {
        command: `${python} ${args.join(' ')}`,
        stderrTail: tail(install.stderr || install.stdout),
      },
    )
  }
  const scripts = await runProcess(python, ['-c', SCRIPT_DIRS], { env, timeoutMs: 30000 })
  const modalPath = findOnPath('modal', { PATH: [env.PATH ?? '', ...scripts.stdout.split('\n')].join(':') })
  if (!modalPath)
    throw new ActionError(
      'ERR_MODAL_CLI_MISSING',
      `pip installed modal==${version} but no modal command appeared on PATH or in ${python}'s script folders.`,
    )
  return { modalPath, python: pythonForModal(modalPath) }
}

// Where pip puts console scripts: the interpreter's own folder, and the user folder for --user installs.
const SCRIPT_DIRS = "import os, sysconfig; print(sysconfig.get_path('scripts')); print(sysconfig.get_path('scripts', os.name + '_user'))"

/** Finds an executable on PATH, as a shell would, without starting one. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const candidate = path.join(dir, command)
    try {
      // As a shell does: a directory of that name is not the command.
      accessSync(candidate, constants.X_OK)
      if (!statSync(candidate).isFile()) continue
      return candidate
    } catch {
      // not here; keep looking
    }
  }
  return null
}

/**
 * The interpreter the `modal` console script runs on (its shebang): the one whose site-packages hold the SDK.
 * A wrapper that is not a Python script (a pyenv or asdf shim) says nothing about it: then python3 on PATH.
 */
export function pythonForModal(modalPath: string): string {
  const firstLine = readFileSync(realpathSync(modalPath), 'utf8').slice(0, 300).split('\n')[0]
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(firstLine)
  const interpreter = shebang && path.basename(shebang[1]) === 'env' ? shebang[2] : shebang?.[1]
  return interpreter && /^python[0-9.]*$/.test(path.basename(interpreter)) ? interpreter : 'python3'
}
