// The single typed wrapper over the Modal client: the `modal` CLI, and the action's Python helper that uses the SDK
// (one process for every preflight check, one for the smoke call).
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import * as z from 'zod'
import { ActionError, type ErrorCode } from './errors.js'
import { classifyDeployFailure, errorPanelMessage, isTransient, parseDeployOutput, parseHistory, tail, type DeployOutput, type HistoryRow } from './modal-output.js'
import { runProcess, type ProcessResult } from './process.js'
import { withRetries, type RetryHooks, type RetryPolicy } from './retry.js'
import type { SecretRequirement } from './secrets-policy.js'

/** Finds an executable on PATH, as a shell would, without starting one. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const candidate = path.join(dir, command)
    try {
      accessSync(candidate, constants.X_OK)
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

/** `Function.from_name(..., version=)` and the snake_case --json keys this action relies on came with 1.5.0. */
export const MINIMUM_CLIENT_VERSION = '1.5.0'

export function isSupportedClientVersion(version: string): boolean {
  const parts = (v: string) => v.split('.').map((n) => Number.parseInt(n, 10) || 0)
  const [have, need] = [parts(version), parts(MINIMUM_CLIENT_VERSION)]
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) > need[i]
  return true
}

const historyRowSchema = z.object({
  version: z.number().int(),
  tag: z.string().nullable(),
  time_deployed: z.string().nullable(),
  deployed_by: z.string().nullable(),
})

const helperErrorSchema = z.object({
  ok: z.literal(false),
  error: z.object({ kind: z.string(), type: z.string().nullable().optional(), message: z.string() }),
})

const preflightAnswerSchema = z.union([
  z.object({
    ok: z.literal(true),
    client_version: z.string().nullable().optional(),
    secrets: z.array(
      z.object({
        name: z.string(),
        optional: z.boolean(),
        status: z.enum(['found', 'missing', 'missing_keys']),
        missing_keys: z.array(z.string()),
        message: z.string().nullable(),
      }),
    ),
    app: z.union([
      z.object({ exists: z.literal(false) }),
      z.object({ exists: z.literal(true), app_id: z.string(), history: z.array(historyRowSchema) }),
    ]),
  }),
  helperErrorSchema,
])

const smokeAnswerSchema = z.union([
  z.object({ ok: z.literal(true), app_id: z.string().nullable(), result: z.unknown() }),
  helperErrorSchema,
])

export interface PreflightReport {
  clientVersion: string | null
  secrets: { name: string; optional: boolean; status: 'found' | 'missing' | 'missing_keys'; missingKeys: string[] }[]
  app: { exists: false } | { exists: true; appId: string; history: HistoryRow[] }
}

export interface SmokeCall {
  environment: string
  appName: string
  version: number | null
  payload: Record<string, unknown>
}

export interface ModalClientOptions {
  modalPath: string
  python: string
  helperScript: string
  env: NodeJS.ProcessEnv
  retry: RetryPolicy
  hooks: RetryHooks
  /** Live lines of a long command (the deploy), for the log. */
  onOutputLine: (line: string) => void
  /** Told about every child process and how long it ran (the benchmark subtracts it from the step's time). */
  onChildExit: (what: string, durationMs: number) => void
}

const PREFLIGHT_ERROR_CODES: Record<string, ErrorCode> = {
  client_missing: 'ERR_MODAL_CLI_MISSING',
  token_missing: 'ERR_MODAL_TOKEN_MISSING',
  token_rejected: 'ERR_MODAL_TOKEN_REJECTED',
  environment_not_found: 'ERR_ENVIRONMENT_NOT_FOUND',
}

const SMOKE_ERROR_CODES: Record<string, ErrorCode> = {
  ...PREFLIGHT_ERROR_CODES,
  function_not_found: 'ERR_FUNCTION_NOT_FOUND',
  function_timeout: 'ERR_SMOKE_TIMEOUT',
}

export class ModalClient {
  private readonly childEnv: NodeJS.ProcessEnv

  constructor(private readonly options: ModalClientOptions) {
    // The step's inputs (INPUT_*, the GitHub token among them) are the action's business, not the client's.
    this.childEnv = { ...Object.fromEntries(Object.entries(options.env).filter(([name]) => !name.startsWith('INPUT_'))), ...QUIET_CLIENT_ENV }
  }

  /** Token, environment, every secret (all reported, not the first only) and the app's history, in one process. */
  async preflight(environment: string, appName: string, secrets: SecretRequirement[], timeoutMs: number): Promise<PreflightReport> {
    const request = { environment, app_name: appName, secrets }
    const result = await this.helper('preflight', request, timeoutMs, 'ERR_PREFLIGHT_TIMEOUT')
    const answer = this.readAnswer(result, preflightAnswerSchema, 'ERR_PREFLIGHT_FAILED')
    if (!answer.ok) throw helperError(answer.error, PREFLIGHT_ERROR_CODES, 'ERR_PREFLIGHT_FAILED')
    return {
      clientVersion: answer.client_version ?? null,
      secrets: answer.secrets.map((s) => ({ name: s.name, optional: s.optional, status: s.status, missingKeys: s.missing_keys })),
      app: answer.app.exists
        ? {
            exists: true,
            appId: answer.app.app_id,
            history: answer.app.history.map((row) => ({
              version: row.version,
              tag: row.tag,
              timeDeployed: row.time_deployed,
              deployedBy: row.deployed_by,
            })),
          }
        : { exists: false },
    }
  }

  async deploy(moduleDir: string, environment: string, tag: string, moduleEnv: Record<string, string>, timeoutMs: number): Promise<DeployOutput> {
    const args = ['deploy', '-m', 'modal_app', '--env', environment, '--tag', tag]
    const result = await this.cli(args, timeoutMs, { cwd: moduleDir, extraEnv: moduleEnv, stream: true })
    throwIfCancelled(result, 'modal deploy')
    if (result.timedOut) {
      throw new ActionError('ERR_DEPLOY_TIMEOUT', `modal deploy was stopped after ${seconds(timeoutMs)} (deploy-timeout).`, {
        command: commandLine(args),
        stderrTail: tail(`${result.stdout}\n${result.stderr}`),
      })
    }
    if (result.exitCode !== 0) {
      const code = classifyDeployFailure(result.stdout, result.stderr)
      throw new ActionError(code, failureMessage('modal deploy', result), { command: commandLine(args), stderrTail: tail(result.stderr) })
    }
    return parseDeployOutput(result.stdout)
  }

  /** `modal app history <app> --json`, newest first. */
  async history(appName: string, environment: string, timeoutMs: number): Promise<HistoryRow[]> {
    const args = ['app', 'history', appName, '--env', environment, '--json']
    const result = await this.cli(args, timeoutMs, {})
    throwIfCancelled(result, 'modal app history')
    const unverified = (why: string) =>
      new ActionError('ERR_DEPLOY_UNVERIFIED', `${commandLine(args)} ${why}`, { command: commandLine(args), stderrTail: tail(result.stderr) })
    if (result.timedOut) throw unverified(`did not answer within ${seconds(timeoutMs)}.`)
    if (result.exitCode !== 0) throw unverified(`failed: ${failureMessage('modal app history', result)}`)
    try {
      return parseHistory(result.stdout)
    } catch (error) {
      throw unverified(`printed output that is not a version history (${(error as Error).message}): ${tail(result.stdout, 3, 300)}`)
    }
  }

  /** Calls the deployed function once; returns what it returned (validated by the caller) and the app id. */
  async smoke(call: SmokeCall, timeoutMs: number): Promise<{ appId: string | null; result: unknown }> {
    const request = { environment: call.environment, app_name: call.appName, function: 'run', version: call.version, payload: call.payload }
    const result = await this.helper('smoke', request, timeoutMs, 'ERR_SMOKE_TIMEOUT')
    const answer = this.readAnswer(result, smokeAnswerSchema, 'ERR_SMOKE_INVALID_RESPONSE')
    if (!answer.ok) throw helperError(answer.error, SMOKE_ERROR_CODES, 'ERR_SMOKE_FAILED')
    return { appId: answer.app_id, result: answer.result }
  }

  /** `modal app rollback <app> v<N>`: Modal publishes a new version that runs version N's definition. */
  async rollback(appName: string, environment: string, version: number, timeoutMs: number): Promise<{ ok: true } | { ok: false; refused: boolean; message: string; stderrTail: string }> {
    const args = ['app', 'rollback', appName, `v${version}`, '--env', environment]
    const result = await this.cli(args, timeoutMs, {})
    throwIfCancelled(result, 'modal app rollback')
    if (result.exitCode === 0 && !result.timedOut) return { ok: true }
    const message = result.timedOut ? `did not finish within ${seconds(timeoutMs)}` : failureMessage('modal app rollback', result)
    return { ok: false, refused: !result.timedOut && isRefusal(result.stderr), message, stderrTail: tail(result.stderr) }
  }

  /** The app's recent log lines (`modal app logs <app> -n N`), or null when they cannot be had. */
  async logs(appName: string, environment: string, lines: number, timeoutMs: number): Promise<string | null> {
    const result = await this.cli(['app', 'logs', appName, '--env', environment, '-n', String(lines)], timeoutMs, {})
    return result.exitCode === 0 && !result.timedOut ? result.stdout : null
  }

  private cli(args: string[], timeoutMs: number, how: { cwd?: string; extraEnv?: Record<string, string>; stream?: boolean }) {
    return this.retrying(`modal ${args[0]}`, timeoutMs, (attemptMs) =>
      runProcess(this.options.modalPath, args, {
        cwd: how.cwd,
        env: { ...this.childEnv, ...how.extraEnv },
        timeoutMs: attemptMs,
        onLine: how.stream ? (line) => this.options.onOutputLine(line) : undefined,
      }),
    )
  }

  private helper(operation: 'preflight' | 'smoke', request: object, timeoutMs: number, timeoutCode: ErrorCode) {
    return this.retrying(`helper ${operation}`, timeoutMs, (attemptMs) =>
      runProcess(this.options.python, [this.options.helperScript, operation], {
        env: this.childEnv,
        input: JSON.stringify(request),
        timeoutMs: attemptMs,
      }),
    ).then((result) => {
      const [subject, verb] = operation === 'smoke' ? ['The smoke call', 'was'] : ['The preflight checks', 'were']
      throwIfCancelled(result, subject.toLowerCase())
      if (result.timedOut) {
        throw new ActionError(timeoutCode, `${subject} ${verb} stopped after ${seconds(timeoutMs)} (${operation}-timeout).`, {
          stderrTail: tail(result.stderr),
        })
      }
      return result
    })
  }

  /** Retries transient failures within one deadline for the whole phase, so retries never stretch a timeout. */
  private async retrying(what: string, timeoutMs: number, spawnOnce: (attemptMs: number) => Promise<ProcessResult>): Promise<ProcessResult> {
    const deadline = Date.now() + timeoutMs
    return withRetries(
      async () => {
        try {
          const result = await spawnOnce(Math.max(1, deadline - Date.now()))
          this.options.onChildExit(what, result.durationMs)
          return result
        } catch (error) {
          throw new ActionError('ERR_MODAL_CLI_MISSING', `Could not start ${what} (${this.options.modalPath}): ${(error as Error).message}.`)
        }
      },
      (result) => {
        const worthAnotherTry = !result.timedOut && !result.cancelled && deadline - Date.now() > this.options.retry.maxDelayMs
        return worthAnotherTry ? transientReason(result) : null
      },
      this.options.retry,
      this.options.hooks,
    )
  }

  private readAnswer<T>(result: ProcessResult, schema: z.ZodType<T>, code: ErrorCode): T {
    const parsed = schema.safeParse(lastJsonLine(result.stdout))
    if (parsed.success) return parsed.data
    throw new ActionError(code, `The Modal helper answered with something that is not its JSON answer (exit code ${result.exitCode}).`, {
      stderrTail: tail(result.stderr || result.stdout),
    })
  }
}

// No colours, no wrapping (modal-contract §0: Rich wraps at 80 columns without a TTY), no interactive prompts.
const QUIET_CLIENT_ENV = { COLUMNS: '1000', NO_COLOR: '1', TERM: 'dumb', PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' }

/** Why a finished command may be tried again, or null when its result is final. */
function transientReason(result: ProcessResult): string | null {
  if (result.exitCode === 0) {
    // The helper exits 0 with a structured answer; its error kind says whether the failure was transient.
    const answer = lastJsonLine(result.stdout) as { ok?: boolean; error?: { kind?: string; message?: string } } | null
    return answer?.ok === false && answer.error?.kind === 'transient' ? (answer.error.message ?? 'transient') : null
  }
  const message = errorPanelMessage(result.stderr) ?? result.stderr
  return isTransient(message) ? tail(message, 1, 200) : null
}

/** The JSON value on the last line of a command's output (where the helpers answer), or null. */
export function lastJsonLine(stdout: string): unknown {
  try {
    return JSON.parse(stdout.trimEnd().split('\n').pop() ?? '')
  } catch {
    return null
  }
}

function throwIfCancelled(result: ProcessResult, what: string): void {
  if (result.cancelled) throw new ActionError('ERR_CANCELLED', `The job was cancelled while ${what} ran; it was stopped.`, { stderrTail: tail(result.stderr) })
}

// A rollback the server will not do (a plan without rollbacks, a permission) rather than one that broke.
function isRefusal(stderr: string): boolean {
  return /not available on|not allowed|your plan|permission denied|upgrade your/i.test(errorPanelMessage(stderr) ?? '')
}

function helperError(error: { kind: string; type?: string | null; message: string }, codes: Record<string, ErrorCode>, fallback: ErrorCode): ActionError {
  const code = codes[error.kind] ?? fallback
  const type = error.type ? `${error.type}: ` : ''
  return new ActionError(code, `${type}${error.message}`)
}

function failureMessage(what: string, result: ProcessResult): string {
  const panel = errorPanelMessage(result.stderr)
  const lastLine = tail(result.stderr, 1, 500)
  return `${what} exited with code ${result.exitCode}: ${panel ?? (lastLine || 'no error output')}`
}

export function commandLine(args: string[]): string {
  return ['modal', ...args].join(' ')
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`
}
