// The values a fix may name, from what the user gave: only those that pass their own rule, so a fix never repeats a
// bad value (or a hostile one) as if it were a command to run.
import type { FixValues } from './errors.js'
import { isValidModalAppName, isValidModalEnvironmentName, modalAppNameFromRef, parseProcessorRef } from './naming.js'

export function fixValuesFrom(given: { env?: string; ref?: string; app?: string; command?: string }): FixValues {
  const env = given.env?.trim() ?? ''
  const ref = given.ref?.trim() ?? ''
  const app = given.app?.trim() ?? ''
  const derived = modalAppNameFromRef(ref)
  return {
    env: isValidModalEnvironmentName(env) ? env : null,
    ref: parseProcessorRef(ref).ok ? ref : null,
    app: app !== '' ? (isValidModalAppName(app) ? app : null) : derived.ok ? derived.value : null,
    command: given.command && /^[a-z][a-z-]*$/.test(given.command) ? given.command : null,
  }
}
