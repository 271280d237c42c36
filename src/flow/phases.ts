// How the flow runs its phases: each in a log group, timed and recorded in the report, failed or not.
import { ActionError } from '../rules/errors.js'
import type { Phase } from '../rules/errors.js'
import type { PhaseRecord } from '../rules/run-report.js'
import { describeUnexpected } from '../rules/unexpected.js'
import type { Toolkit } from './toolkit.js'

/** Several problems found together (all bad inputs, all missing secrets), reported as one annotation each. */
export class Failures extends Error {
  constructor(readonly errors: ActionError[]) {
    super(errors.map((e) => e.code).join(', '))
  }
}

export function asActionErrors(error: unknown): ActionError[] {
  if (error instanceof Failures) return error.errors
  if (error instanceof ActionError) return [error]
  return [new ActionError('ERR_UNEXPECTED', `Unexpected failure inside the action: ${describeUnexpected(error)}`)]
}

export type PhaseBody<T> = () => Promise<{ value: T; detail: string }>

/** Runs each phase in a log group, timed, and records it (passed or failed) in `records`. */
export function phaseRunner(kit: Toolkit, records: PhaseRecord[]) {
  return async <T>(name: Phase, title: string, body: PhaseBody<T>): Promise<T> => {
    const started = kit.now()
    kit.startGroup(title)
    try {
      const { value, detail } = await body()
      records.push({ phase: name, status: 'passed', durationMs: kit.now() - started, detail })
      return value
    } catch (error) {
      const codes = [...new Set(asActionErrors(error).map((e) => e.code))]
      records.push({ phase: name, status: 'failed', durationMs: kit.now() - started, detail: codes.join(', ') })
      throw error
    } finally {
      kit.endGroup()
    }
  }
}

export function skipPhase(records: PhaseRecord[], name: Phase, detail: string): void {
  records.push({ phase: name, status: 'skipped', durationMs: 0, detail })
}
