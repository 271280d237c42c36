// `modal-processor name REF`: the Modal app name of a processor ref.
import { ActionError } from '../rules/errors.js'
import { modalAppNameFromRef } from '../rules/naming.js'
import type { CliIo } from './io.js'
import { UsageError } from './options.js'

export function nameCommand(positionals: string[], io: CliIo): number {
  if (positionals.length !== 1) throw new UsageError('Expected exactly one processor ref, e.g. modal-processor name llm/litellm@1.')
  const name = modalAppNameFromRef(positionals[0])
  if (!name.ok) throw new ActionError('ERR_INVALID_PROCESSOR_REF', name.error)
  io.out(`${name.value}\n`)
  return 0
}
