// The Modal client of one CLI command: one session, the client found on PATH.
import { DEFAULT_MODAL_VERSION } from '../flow/inputs.js'
import type { ModalClient } from '../modal/client.js'
import { findOnPath, pythonForModal } from '../modal/install.js'
import { ActionError } from '../rules/errors.js'
import { isValidModalAppName, isValidModalEnvironmentName, modalAppNameFromRef } from '../rules/naming.js'
import { bounded, oneLine } from '../rules/untrusted-text.js'
import type { CliIo } from './io.js'
import { optionalFlag, requiredFlag, type Flags } from './options.js'
import { terminalToolkit } from './toolkit.js'
import { clientFor } from '../flow/modal-client.js'

export function commandClient(io: CliIo): ModalClient {
  const kit = terminalToolkit({}, { quiet: false, io })
  const locate = async () => {
    const modal = findOnPath('modal', io.env)
    if (!modal)
      throw new ActionError('ERR_MODAL_CLI_MISSING', `The modal command is not on PATH (pip install modal==${DEFAULT_MODAL_VERSION}).`)
    return { modalPath: modal, python: pythonForModal(modal) }
  }
  return clientFor(kit, locate, { write: () => {} }, { connect: io.connect })
}

/** --app-name, or the name the ref gives; the ref is checked either way. */
export function appNameFromFlags(flags: Flags): string {
  const name = modalAppNameFromRef(requiredFlag(flags, 'ref'))
  if (!name.ok) throw new ActionError('ERR_INVALID_PROCESSOR_REF', name.error)
  const given = optionalFlag(flags, 'app-name')
  if (given && !isValidModalAppName(given))
    throw new ActionError(
      'ERR_INVALID_INPUT',
      `--app-name '${oneLine(bounded(given, 100))}' is not a Modal app name (letters, digits, '.', '-', '_').`,
    )
  return given || name.value
}

/** --env, a Modal environment name. */
export function environmentOf(flags: Flags): string {
  const env = requiredFlag(flags, 'env')
  if (!isValidModalEnvironmentName(env))
    throw new ActionError('ERR_INVALID_ENVIRONMENT', `--env '${oneLine(bounded(env, 100))}' is not a Modal environment name.`)
  return env
}
