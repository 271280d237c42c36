// The one place that turns the action's raw inputs into a typed, validated settings object.
import * as z from 'zod'
import { ActionError, type ErrorCode } from '../rules/errors.js'
import { parseImageRef } from '../rules/image-ref.js'
import {
  appNameOf,
  isValidDeployTag,
  isValidModalAppName,
  isValidModalEnvironmentName,
  parsePullRequestNumber,
  parseProcessorRef,
} from '../rules/naming.js'
import { parseToolSecrets } from '../rules/secrets-policy.js'
import {
  INPUT_NAMES,
  MODES,
  ROLLOUTS,
  STRATEGIES,
  type InputName,
  type RawInputs,
  type Rollout,
  type Settings,
  type Strategy,
} from '../rules/settings.js'
import { bounded, oneLine } from '../rules/untrusted-text.js'
import { jsonSyntaxProblem } from '../rules/json-syntax.js'

export const DEFAULT_MODAL_VERSION = '1.5.4'
export const DEFAULT_SMOKE_PARAMS = { messages: [{ role: 'user', content: 'test' }] }
export const MAX_SMOKE_INPUTS_BYTES = 64 * 1024
export const MAX_SMOKE_INPUTS_DEPTH = 32
/** No input is longer: anything more is not a value a workflow means to pass. */
const MAX_INPUT_BYTES = 256 * 1024

/** An input's value as quoted in a message: one line, bounded (an input may be long, or hostile). */
function quoted(raw: string): string {
  return `'${oneLine(bounded(raw, 200))}'`
}

/** How deep arrays and objects nest in JSON text (strings skipped), without parsing it. */
export function jsonDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '[' || c === '{') deepest = Math.max(deepest, ++depth)
    else if (c === ']' || c === '}') depth--
  }
  return deepest
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value)
}

function fail(ctx: z.RefinementCtx, errCode: ErrorCode, message: string): never {
  ctx.addIssue({ code: 'custom', message, params: { errCode } })
  return z.NEVER as never
}

function seconds(input: InputName, fallback: number) {
  return z.string().transform((raw, ctx) => {
    if (raw.trim() === '') return fallback
    const value = /^[0-9]{1,6}$/.test(raw.trim()) ? Number(raw.trim()) : NaN
    if (!Number.isInteger(value) || value < 1 || value > 6 * 3600) {
      return fail(ctx, 'ERR_INVALID_INPUT', `${input} must be a whole number of seconds from 1 to 21600, got ${quoted(raw)}.`)
    }
    return value
  })
}

function booleanInput(input: InputName, fallback: boolean) {
  return z.string().transform((raw, ctx) => {
    const value = raw.trim()
    if (value === '') return fallback
    if (['true', 'True', 'TRUE'].includes(value)) return true
    if (['false', 'False', 'FALSE'].includes(value)) return false
    return fail(ctx, 'ERR_INVALID_INPUT', `${input} must be true or false, got ${quoted(raw)}.`)
  })
}

function strategyInput(input: InputName, fallback: Strategy) {
  return z.string().transform((raw, ctx): Strategy => {
    const value = raw.trim() || fallback
    if (isOneOf(STRATEGIES, value)) return value
    return fail(ctx, 'ERR_INVALID_INPUT', `${input} must be rolling or recreate, got ${quoted(raw)}.`)
  })
}

const rawSchema = z.object({
  'processor-ref': z.string().transform((raw, ctx) => {
    const parsed = parseProcessorRef(raw.trim())
    return parsed.ok ? { ref: raw.trim(), parsed: parsed.value } : fail(ctx, 'ERR_INVALID_PROCESSOR_REF', parsed.error)
  }),
  'image-ref': z.string().transform((raw, ctx) => {
    const parsed = parseImageRef(raw.trim())
    return parsed.ok ? { ref: raw.trim(), parsed: parsed.value } : fail(ctx, parsed.error.code, parsed.error.message)
  }),
  'modal-environment': z.string().transform((raw, ctx) => {
    const env = raw.trim()
    if (isValidModalEnvironmentName(env)) return env
    return fail(
      ctx,
      'ERR_INVALID_ENVIRONMENT',
      `Invalid modal-environment ${quoted(raw)}: Modal environment names start with a letter or digit, are 2 to 64 characters of letters, digits, '-', '_' and '.', and cannot start with 'en-' (e.g. dev, staging, main).`,
    )
  }),
  mode: z.string().transform((raw, ctx) => {
    const mode = raw.trim() || MODES[0]
    if (isOneOf(MODES, mode)) return mode
    return fail(ctx, 'ERR_INVALID_INPUT', `mode must be 'mock' or 'real', got ${quoted(raw)}.`)
  }),
  'tool-secrets': z.string().transform((raw, ctx) => {
    const parsed = parseToolSecrets(raw)
    return parsed.ok ? parsed.value : fail(ctx, 'ERR_INVALID_TOOL_SECRETS', parsed.error)
  }),
  'app-name': z.string().transform((raw, ctx) => {
    const name = raw.trim()
    // A name must also start with a letter or digit: it becomes an argument of modal commands, never an option.
    if (name === '' || (isValidModalAppName(name) && /^[a-zA-Z0-9]/.test(name))) return name
    return fail(
      ctx,
      'ERR_INVALID_INPUT',
      `Invalid app-name ${quoted(raw)}: Modal app names are 1 to 64 characters of letters, digits, '-', '_' and '.', start with a letter or digit, and cannot look like an app id (ap-…).`,
    )
  }),
  'smoke-inputs': z.string().transform((raw, ctx) => {
    if (raw.trim() === '') return DEFAULT_SMOKE_PARAMS as Record<string, unknown>
    if (Buffer.byteLength(raw) > MAX_SMOKE_INPUTS_BYTES) {
      return fail(ctx, 'ERR_INVALID_SMOKE_INPUTS', `smoke-inputs is larger than ${MAX_SMOKE_INPUTS_BYTES} bytes.`)
    }
    if (jsonDepth(raw) > MAX_SMOKE_INPUTS_DEPTH) {
      return fail(ctx, 'ERR_INVALID_SMOKE_INPUTS', `smoke-inputs nests arrays and objects more than ${MAX_SMOKE_INPUTS_DEPTH} deep.`)
    }
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch {
      return fail(ctx, 'ERR_INVALID_SMOKE_INPUTS', `smoke-inputs is not valid JSON (${jsonSyntaxProblem(raw)}).`)
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return fail(ctx, 'ERR_INVALID_SMOKE_INPUTS', 'smoke-inputs must be a JSON object: it becomes the params of the smoke call.')
    }
    return value as Record<string, unknown>
  }),
  deploy: booleanInput('deploy', true),
  'image-visibility': z.string().transform((raw, ctx) => {
    const value = raw.trim() || 'auto'
    if (value === 'auto' || value === 'private' || value === 'public') return value
    return fail(ctx, 'ERR_INVALID_INPUT', `image-visibility must be auto, private or public, got ${quoted(raw)}.`)
  }),
  'modal-module-dir': z.string().transform((raw) => raw.trim() || null),
  'deploy-tag': z.string().transform((raw, ctx) => {
    const tag = raw.trim()
    if (tag === '' || isValidDeployTag(tag)) return tag || null
    return fail(ctx, 'ERR_INVALID_INPUT', `deploy-tag must be 1 to 50 characters of letters, digits, '.', '_' and '-', got ${quoted(raw)}.`)
  }),
  'preflight-timeout': seconds('preflight-timeout', 120),
  'deploy-timeout': seconds('deploy-timeout', 1200),
  'smoke-timeout': seconds('smoke-timeout', 300),
  'dry-run': booleanInput('dry-run', false),
  'rollback-on-failure': booleanInput('rollback-on-failure', true),
  'deploy-strategy': strategyInput('deploy-strategy', 'rolling'),
  'rollback-strategy': strategyInput('rollback-strategy', 'recreate'),
  rollout: z.string().transform((raw, ctx): Rollout => {
    const rollout = raw.trim() || ROLLOUTS[0]
    if (isOneOf(ROLLOUTS, rollout)) return rollout
    return fail(ctx, 'ERR_INVALID_INPUT', `rollout must be 'live' or 'verify-first', got ${quoted(raw)}.`)
  }),
  // Read by the inputs phase, which chooses between the catalogue file and its alias before these rules run.
  'catalogue-file': z.string(),
  'registry-file': z.string(),
  'modal-version': z.string().transform((raw, ctx) => {
    const version = raw.trim() || DEFAULT_MODAL_VERSION
    if (/^[0-9]+\.[0-9]+(\.[0-9]+)?$/.test(version)) return version
    return fail(ctx, 'ERR_INVALID_INPUT', `modal-version must be a version such as ${DEFAULT_MODAL_VERSION}, got ${quoted(raw)}.`)
  }),
  'github-token': z.string().transform((raw) => raw.trim()),
  preview: z.string().transform((raw, ctx) => {
    const value = raw.trim()
    if (['', 'false', 'False', 'FALSE'].includes(value)) return null
    if (['true', 'True', 'TRUE'].includes(value)) return 'event' as const
    const number = parsePullRequestNumber(value)
    if (number !== null) return number
    return fail(ctx, 'ERR_INVALID_INPUT', `preview must be true, false or a pull request number, got ${quoted(raw)}.`)
  }),
})

/** Validates every input at once; each problem becomes its own ActionError. */
export function parseInputs(raw: RawInputs): { ok: true; settings: Settings } | { ok: false; errors: ActionError[] } {
  const tooLong = INPUT_NAMES.filter((name) => Buffer.byteLength(raw[name] ?? '') > MAX_INPUT_BYTES)
  if (tooLong.length > 0) {
    return {
      ok: false,
      errors: tooLong.map((name) => new ActionError('ERR_INVALID_INPUT', `${name} is longer than ${MAX_INPUT_BYTES} bytes.`)),
    }
  }
  const result = rawSchema.safeParse(raw)
  if (!result.success) {
    return {
      ok: false,
      errors: result.error.issues.map((issue) => {
        const code = (issue as { params?: { errCode?: ErrorCode } }).params?.errCode ?? 'ERR_INVALID_INPUT'
        const message =
          code === 'ERR_INVALID_INPUT' && issue.code !== 'custom' ? `${issue.path.join('.')}: ${issue.message}` : issue.message
        return new ActionError(code, message)
      }),
    }
  }
  const input = result.data
  return {
    ok: true,
    settings: {
      processorRef: input['processor-ref'].ref,
      processor: input['processor-ref'].parsed,
      appName: input['app-name'] || appNameOf(input['processor-ref'].parsed),
      imageRef: input['image-ref'].ref,
      image: input['image-ref'].parsed,
      imageVisibility: input['image-visibility'],
      environment: input['modal-environment'],
      mode: input.mode,
      toolSecrets: input['tool-secrets'],
      smokeParams: input['smoke-inputs'],
      deploy: input.deploy,
      moduleDir: input['modal-module-dir'],
      deployTag: input['deploy-tag'],
      timeouts: { preflight: input['preflight-timeout'], deploy: input['deploy-timeout'], smoke: input['smoke-timeout'] },
      dryRun: input['dry-run'],
      rollbackOnFailure: input['rollback-on-failure'],
      strategies: { deploy: input['deploy-strategy'], rollback: input['rollback-strategy'] },
      rollout: input.rollout,
      modalVersion: input['modal-version'],
      githubToken: input['github-token'],
      preview: input.preview,
    },
  }
}

/** Reads the raw inputs through the toolkit (INPUT_<NAME> variables). */
export function readRawInputs(getInput: (name: string) => string): RawInputs {
  return Object.fromEntries(INPUT_NAMES.map((name) => [name, getInput(name)])) as RawInputs
}
