// What an error says to do, and the words it is said in: the phases, the two surfaces (the action, the CLI) and the
// values a fix may name.

/** The phases of a run, in the order they can run (the `phase` output names one). */
export const PHASES = [
  'inputs',
  'preflight',
  'candidate-deploy',
  'candidate-smoke',
  'candidate-stop',
  'deploy',
  'verify',
  'smoke',
  'rollback',
  'teardown',
] as const
export type Phase = (typeof PHASES)[number]

/** Where a fix is read: the action's annotations and summary, or the terminal of `modal-processor`. */
export type Surface = 'action' | 'cli'

/**
 * What to do: one text for both surfaces, or one for each. `{env}`, `{app}`, `{ref}` and `{command}` are filled in
 * with the run's values when they are known (see `fixFor`), else shown as `<env>`…; other `<…>` are formats.
 */
export type Fix = string | { action: string; cli: string }

/** The values a fix names; only validated values are given (an environment name, a ref, an app name, a command). */
export interface FixValues {
  env?: string | null
  app?: string | null
  ref?: string | null
  command?: string | null
}

export interface ErrorInfo {
  phase: Phase | 'any'
  fix: Fix
}

/** A fix as written for one surface, its values still `{placeholders}`. */
export function fixTemplate(fix: Fix, surface: Surface): string {
  return typeof fix === 'string' ? fix : fix[surface]
}

/** The template with each `{name}` replaced by its value, or by `<name>` when the value is not known. */
export function fillFix(template: string, values: FixValues): string {
  return template.replace(/\{(env|app|ref|command)\}/g, (_, name: keyof FixValues) => values[name] || `<${name}>`)
}
