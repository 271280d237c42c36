// The smoke call's payload and the validation of what `run` returns (the processor contract, docs/internals.md).
import * as z from 'zod'

export type Mode = 'mock' | 'real'

export function smokePayload(mode: Mode, params: Record<string, unknown>) {
  return { schema: 'v1' as const, mode, params }
}

const runSuccess = z.object({
  ok: z.literal(true),
  schema: z.literal('v1'),
  processor: z.string(),
  mode: z.enum(['mock', 'real']),
  output: z.record(z.string(), z.unknown()),
  duration_ms: z.number().nonnegative(),
})

const runFailure = z.object({
  ok: z.literal(false),
  error: z.object({
    type: z.string(),
    code: z.string().nullable().optional(),
    message: z.string(),
    exit_code: z.number().nullable().optional(),
    stderr_tail: z.string().nullable().optional(),
  }),
})

export type SmokeVerdict =
  | { status: 'passed'; output: Record<string, unknown> }
  | { status: 'failed'; errorType: string; code: string | null; message: string; stderrTail: string | null }
  | { status: 'invalid'; problem: string }

export function judgeSmokeResult(result: unknown): SmokeVerdict {
  const success = runSuccess.safeParse(result)
  if (success.success) return { status: 'passed', output: success.data.output }
  const failure = runFailure.safeParse(result)
  if (failure.success) {
    const { type, code, message, stderr_tail } = failure.data.error
    return { status: 'failed', errorType: type, code: code ?? null, message, stderrTail: stderr_tail ?? null }
  }
  return { status: 'invalid', problem: z.prettifyError(success.error) }
}
