// Finds the Modal client, or installs the pinned version into the action's own virtual environment when the runner
// has none.
import { accessSync, constants, readFileSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { ActionError } from '../rules/errors.js'
import { provideClientEnvironment, type ClientEnvironmentOptions } from './client-environment.js'

export interface ModalInstallation {
  modalPath: string
  python: string
}

/**
 * The client on PATH when there is one (the user installed it); else the action's own client environment for
 * `modalVersion`, made from the python3 on PATH (see client-environment.ts).
 */
export async function ensureModalClient(options: ClientEnvironmentOptions): Promise<ModalInstallation> {
  const existing = findOnPath('modal', options.env)
  if (existing) return { modalPath: existing, python: pythonForModal(existing) }
  const python = findOnPath('python3', options.env) ?? findOnPath('python', options.env)
  if (!python) {
    throw new ActionError(
      'ERR_MODAL_CLI_MISSING',
      'Neither modal nor Python is on PATH: add actions/setup-python (Python 3.10+) before this step.',
    )
  }
  options.log.info(
    `modal is not on PATH: using modal==${options.modalVersion} in a virtual environment of the action's own (made from ${python}).`,
  )
  const made = await provideClientEnvironment(python, options)
  return { modalPath: made.modalPath, python: made.python }
}

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
