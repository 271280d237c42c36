// The single typed wrapper over the Modal client: every Modal operation of a step (checks, deploy, history, smoke
// call, rollback, logs) as requests to one Modal session (session.ts), which loads the client once. The policy
// lives here: retries, when a new session is needed, error codes and messages. The session only reports facts.
import { ActionError, type ErrorCode } from '../rules/errors.js'
import {
  classifyDeployFailure,
  errorPanelMessage,
  isTransient,
  parseDeployOutput,
  parseHistory,
  readImageBuildFailure,
  tail,
  type DeployOutput,
  type HistoryRow,
} from './output.js'
import type { ModalInstallation } from './install.js'
import { isNotFound, judgeRaised, raisedError, raisedMessage, readSecretLookup, smokeError, type RaisedContext } from './raised.js'
import { ModalSession, requestLabel, SessionFailure, type Operation, type Outcome } from './session.js'
import { SessionProcess, sessionOptions } from './session-process.js'
import { judgeImageFailure } from '../rules/image-build.js'
import { withRetries, type RetryHooks, type RetryPolicy } from '../rules/retry.js'
import type { SecretRequirement } from '../rules/secrets-policy.js'

/** `Function.from_name(..., version=)` and the snake_case --json keys this action relies on came with 1.5.0. */
export const MINIMUM_CLIENT_VERSION = '1.5.0'

export function isSupportedClientVersion(version: string): boolean {
  const parts = (v: string) => v.split('.').map((n) => Number.parseInt(n, 10) || 0)
  const [have, need] = [parts(version), parts(MINIMUM_CLIENT_VERSION)]
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) > need[i]
  return true
}

export interface PreflightFindings {
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

/** A Modal session as the client uses it: modal/session.ts over a real process, or a scripted one in tests. */
export interface Session {
  readonly clientVersion: string | null
  request<Op extends Operation>(
    op: Op,
    args: Record<string, unknown>,
    how: { timeoutMs: number; onLine?: (line: string, stream: 'stdout' | 'stderr') => void },
  ): Promise<Outcome<Op>>
  close(): Promise<void>
}

/** Starts a session within `timeoutMs`; rejects with a SessionFailure when it cannot. */
export type SessionConnector = (timeoutMs: number) => Promise<Session>

export interface ModalClientOptions {
  /** How sessions start; by default, runner/session.py in a process of its own (see `locate`, `prestarted`). */
  connect?: SessionConnector
  /** Finds the client (or installs it): called once, before the first check, outside any phase deadline. */
  locate: () => Promise<ModalInstallation>
  /** A session process started early for this step (the action's entry point starts one), if any. */
  prestarted?: SessionProcess | null
  /** The action's folder: runner/session.py is there. */
  actionRoot: string
  env: NodeJS.ProcessEnv
  retry: RetryPolicy
  hooks: RetryHooks
  /** Live lines of a long command (the deploy), for the log. */
  onOutputLine: (line: string) => void
  /** Told how long the session's start and each request took (the benchmark subtracts it from the step's time). */
  onTiming: (what: string, durationMs: number) => void
}

/** One phase's terms for its requests: a shared deadline, and the codes for a timeout and for a session that died. */
interface PhaseTerms {
  deadline: number
  /** The phase's timeout error, with the last lines the session printed. */
  timeout: (lastOutput: string | undefined) => ActionError
  /** The code when the session dies or breaks down during the phase. */
  failure: ErrorCode
  /** What the user sees the phase as, in messages: "the preflight checks". */
  subject: string
}

type RollbackResult = { ok: true } | { ok: false; refused: boolean; message: string; stderrTail: string }
type CliResult = { exitCode: number; stdout: string; stderr: string }

export class ModalClient {
  private prestarted: SessionProcess | null
  private installation: ModalInstallation | null = null
  private session: Session | null = null
  /** Why the last session ended before the step did; a new one is started (and said so) when Modal is needed again. */
  private lostSession: string | null = null
  /** What the summary should say about the session (a second one that had to be started). */
  readonly notes: string[] = []

  constructor(private readonly options: ModalClientOptions) {
    this.prestarted = options.prestarted ?? null
  }

  /** Token, environment, every secret (all reported, not the first only) and the app's history. */
  async preflight(environment: string, appName: string, secrets: SecretRequirement[], timeoutMs: number): Promise<PreflightFindings> {
    if (!this.options.connect) await this.locate()
    const terms: PhaseTerms = {
      deadline: Date.now() + timeoutMs,
      timeout: (stderrTail) =>
        new ActionError('ERR_PREFLIGHT_TIMEOUT', `The preflight checks were stopped after ${seconds(timeoutMs)} (preflight-timeout).`, {
          stderrTail,
        }),
      failure: 'ERR_PREFLIGHT_FAILED',
      subject: 'the preflight checks',
    }
    const required = async (op: Operation, args: Record<string, unknown>) => {
      const outcome = await this.sdk(op, args, terms, 'preflight')
      if (!outcome.ok) throw raisedError(outcome.raised, 'preflight')
    }
    await required('authenticate', {})
    await required('environment', { name: environment })
    const secretReports: PreflightFindings['secrets'] = []
    for (const secret of secrets) {
      const outcome = await this.sdk('secret', { name: secret.name, environment, required_keys: secret.keys }, terms, 'preflight')
      const lookup = readSecretLookup(outcome.ok ? null : outcome.raised)
      if (lookup.status === 'error') throw raisedError(lookup.raised, 'preflight')
      secretReports.push({
        name: secret.name,
        optional: secret.optional,
        status: lookup.status,
        missingKeys: lookup.status === 'missing_keys' ? lookup.missingKeys : [],
      })
    }
    const app = await this.sdk('app', { name: appName, environment }, terms, 'preflight')
    if (!app.ok && !isNotFound(app.raised)) throw raisedError(app.raised, 'preflight')
    const appReport: PreflightFindings['app'] = app.ok
      ? { exists: true, appId: app.value.app_id, history: await this.readHistory(appName, environment, terms, 'ERR_PREFLIGHT_FAILED') }
      : { exists: false }
    return { clientVersion: this.session?.clientVersion ?? null, secrets: secretReports, app: appReport }
  }

  /** `modal deploy -m modal_app --env <environment> --tag <tag>` in `moduleDir`, with the module's variables. */
  async deploy(
    request: { moduleDir: string; environment: string; tag: string; moduleEnv: Record<string, string> },
    timeoutMs: number,
  ): Promise<DeployOutput> {
    const { moduleDir, environment, tag, moduleEnv } = request
    const args = ['deploy', '-m', 'modal_app', '--env', environment, '--tag', tag]
    const terms: PhaseTerms = {
      deadline: Date.now() + timeoutMs,
      timeout: (stderrTail) =>
        new ActionError('ERR_DEPLOY_TIMEOUT', `modal deploy was stopped after ${seconds(timeoutMs)} (deploy-timeout).`, {
          command: commandLine(args),
          stderrTail,
        }),
      failure: 'ERR_DEPLOY_FAILED',
      subject: 'modal deploy',
    }
    let attempt = 0
    const result = await this.cli(args, terms, {
      cwd: moduleDir,
      env: moduleEnv,
      onLine: (line) => this.options.onOutputLine(line),
      // The session keeps the module it imported (docs/modal-client.md#running-the-client-in-one-process): a retried
      // deploy imports it anew, elsewhere.
      beforeAttempt: async () => {
        if (attempt++ > 0) await this.endSession('was closed so that the retried deploy imports the module anew')
      },
    })
    if (result.exitCode !== 0) {
      const details = { command: commandLine(args), stderrTail: tail(result.stderr) }
      const image = readImageBuildFailure(result.stdout, result.stderr)
      if (image) {
        const verdict = judgeImageFailure(image)
        throw new ActionError(verdict.code, verdict.message, { ...details, ...(verdict.fix ? { fix: verdict.fix } : {}) })
      }
      throw new ActionError(classifyDeployFailure(result.stderr), failureMessage('modal deploy', result), details)
    }
    return parseDeployOutput(result.stdout)
  }

  /** `modal app history <app> --json`, newest first. */
  async history(appName: string, environment: string, timeoutMs: number): Promise<HistoryRow[]> {
    const terms: PhaseTerms = {
      deadline: Date.now() + timeoutMs,
      timeout: (stderrTail) =>
        new ActionError(
          'ERR_DEPLOY_UNVERIFIED',
          `${commandLine(historyArgs(appName, environment))} did not answer within ${seconds(timeoutMs)}.`,
          { stderrTail },
        ),
      failure: 'ERR_DEPLOY_UNVERIFIED',
      subject: 'modal app history',
    }
    return this.readHistory(appName, environment, terms, 'ERR_DEPLOY_UNVERIFIED')
  }

  /** Calls the deployed function once; returns what it returned (validated by the caller) and the app id. */
  async smoke(call: SmokeCall, timeoutMs: number): Promise<{ appId: string; result: unknown }> {
    const terms: PhaseTerms = {
      deadline: Date.now() + timeoutMs,
      timeout: (stderrTail) =>
        new ActionError('ERR_SMOKE_TIMEOUT', `The smoke call was stopped after ${seconds(timeoutMs)} (smoke-timeout).`, { stderrTail }),
      failure: 'ERR_SMOKE_FAILED',
      subject: 'the smoke call',
    }
    const app = await this.sdk('app', { name: call.appName, environment: call.environment }, terms, 'smoke')
    if (!app.ok) throw smokeError(app.raised, { ...call, looked: 'app' })
    const request = { app: call.appName, function: 'run', environment: call.environment, version: call.version, payload: call.payload }
    const answer = await this.sdk('call', request, terms, 'smoke')
    if (!answer.ok) throw smokeError(answer.raised, { ...call, looked: 'function' })
    return { appId: app.value.app_id, result: answer.value }
  }

  /** `modal app rollback <app> v<N>`: Modal publishes a new version that runs version N's definition. */
  async rollback(appName: string, environment: string, version: number, timeoutMs: number): Promise<RollbackResult> {
    const args = ['app', 'rollback', appName, `v${version}`, '--env', environment]
    const terms: PhaseTerms = {
      deadline: Date.now() + timeoutMs,
      timeout: (stderrTail) =>
        new ActionError('ERR_ROLLBACK_FAILED', `${commandLine(args)} did not finish within ${seconds(timeoutMs)}.`, { stderrTail }),
      failure: 'ERR_ROLLBACK_FAILED',
      subject: 'modal app rollback',
    }
    let result: CliResult
    try {
      result = await this.cli(args, terms, {})
    } catch (error) {
      if (!(error instanceof ActionError) || error.code !== 'ERR_ROLLBACK_FAILED') throw error
      return { ok: false, refused: false, message: error.message, stderrTail: error.details.stderrTail ?? '' }
    }
    if (result.exitCode === 0) return { ok: true }
    return {
      ok: false,
      refused: isRefusal(result.stderr),
      message: failureMessage('modal app rollback', result),
      stderrTail: tail(result.stderr),
    }
  }

  /** The app's recent log lines (`modal app logs <app> -n N`), or null when they cannot be had. */
  async logs(appName: string, environment: string, lines: number, timeoutMs: number): Promise<string | null> {
    const result = await this.cli(
      ['app', 'logs', appName, '--env', environment, '-n', String(lines)],
      this.quietTerms(timeoutMs, 'modal app logs'),
      {},
    ).catch(() => null)
    return result?.exitCode === 0 ? result.stdout : null
  }

  /** `modal app logs <args>`, streamed as it comes (`--follow` runs until the job is cancelled). */
  async streamLogs(args: string[], timeoutMs: number, onLine: (line: string, stream: 'stdout' | 'stderr') => void): Promise<CliResult> {
    const terms: PhaseTerms = {
      deadline: Date.now() + timeoutMs,
      timeout: (stderrTail) =>
        new ActionError('ERR_PREFLIGHT_TIMEOUT', `modal app logs was stopped after ${seconds(timeoutMs)}.`, { stderrTail }),
      failure: 'ERR_PREFLIGHT_FAILED',
      subject: 'modal app logs',
    }
    return this.cli(['app', 'logs', ...args], terms, { onLine })
  }

  /** Ends the session (at the end of the step). */
  async close(): Promise<void> {
    await this.session?.close()
    this.session = null
    this.prestarted?.kill()
    this.prestarted = null
  }

  private quietTerms(timeoutMs: number, subject: string): PhaseTerms {
    return {
      deadline: Date.now() + timeoutMs,
      timeout: () => new ActionError('ERR_UNEXPECTED', `${subject} did not answer in time.`),
      failure: 'ERR_UNEXPECTED',
      subject,
    }
  }

  private async readHistory(appName: string, environment: string, terms: PhaseTerms, code: ErrorCode): Promise<HistoryRow[]> {
    const args = historyArgs(appName, environment)
    const result = await this.cli(args, terms, {})
    const problem = (why: string) =>
      new ActionError(code, `${commandLine(args)} ${why}`, { command: commandLine(args), stderrTail: tail(result.stderr) })
    if (result.exitCode !== 0) throw problem(`failed: ${failureMessage('modal app history', result)}`)
    try {
      return parseHistory(result.stdout)
    } catch (error) {
      throw problem(`printed output that is not a version history (${(error as Error).message}): ${tail(result.stdout, 3, 300)}`)
    }
  }

  /** An SDK operation, retried while what it raised is transient (never a started call) and time is left. */
  private sdk<Op extends Operation>(
    op: Op,
    args: Record<string, unknown>,
    terms: PhaseTerms,
    context: RaisedContext,
  ): Promise<Outcome<Op>> {
    return this.retrying(
      requestLabel(op, args),
      terms,
      () => this.ask(op, args, terms, {}),
      (outcome) => (!outcome.ok && judgeRaised(outcome.raised, context).transient ? tail(raisedMessage(outcome.raised), 1, 200) : null),
    )
  }

  /** `modal <args>` in the session, retried while its error panel says the failure was transient. */
  private async cli(
    args: string[],
    terms: PhaseTerms,
    how: {
      cwd?: string
      env?: Record<string, string>
      onLine?: (line: string, stream: 'stdout' | 'stderr') => void
      beforeAttempt?: () => Promise<void>
    },
  ): Promise<CliResult> {
    const outcome = await this.retrying(
      requestLabel('cli', { args }),
      terms,
      async () => {
        await how.beforeAttempt?.()
        return this.ask('cli', { args, cwd: how.cwd ?? null, env: how.env ?? {} }, terms, { onLine: how.onLine })
      },
      (outcome) => {
        if (!outcome.ok || outcome.value.exit_code === 0) return null
        const message = errorPanelMessage(outcome.value.stderr) ?? outcome.value.stderr
        return isTransient(message) ? tail(message, 1, 200) : null
      },
    )
    // The CLI's entry point turns its exceptions into an error panel and an exit code; what is left (a module folder
    // that vanished) fails the phase.
    if (!outcome.ok) throw new ActionError(terms.failure, `${commandLine(args)} could not run: ${raisedMessage(outcome.raised)}`)
    return { exitCode: outcome.value.exit_code, stdout: outcome.value.stdout, stderr: outcome.value.stderr }
  }

  /** Retries within one deadline for the whole phase, so retries never stretch a timeout. */
  private retrying<T>(
    what: string,
    terms: PhaseTerms,
    attempt: () => Promise<T>,
    transientReason: (result: T) => string | null,
  ): Promise<T> {
    return withRetries(
      attempt,
      (result) => (terms.deadline - Date.now() > this.options.retry.maxDelayMs ? transientReason(result) : null),
      this.options.retry,
      this.options.hooks,
    ).catch((error: unknown) => {
      throw error instanceof SessionFailure ? this.failureError(error, what, terms) : error
    })
  }

  /** One request; a session that died or timed out is dropped, and the next request starts a fresh one. */
  private async ask<Op extends Operation>(
    op: Op,
    args: Record<string, unknown>,
    terms: PhaseTerms,
    how: { onLine?: (line: string, stream: 'stdout' | 'stderr') => void },
  ): Promise<Outcome<Op>> {
    const timeoutMs = Math.max(1, terms.deadline - Date.now())
    const session = await this.openSession(timeoutMs, terms.subject)
    try {
      return await session.request(op, args, { timeoutMs: Math.max(1, terms.deadline - Date.now()), onLine: how.onLine })
    } catch (error) {
      if (error instanceof SessionFailure && error.kind !== 'refused') {
        this.dropSession(
          error.kind === 'timeout' ? `was stopped when ${terms.subject} ran past its deadline` : `ended while ${terms.subject} ran`,
        )
      }
      throw error
    }
  }

  private async locate(): Promise<ModalInstallation> {
    this.installation ??= await this.options.locate()
    return this.installation
  }

  private async openSession(timeoutMs: number, subject: string): Promise<Session> {
    if (this.session !== null) return this.session
    this.session = await (this.options.connect ?? ((ms) => this.startProcess(ms)))(timeoutMs)
    if (this.lostSession !== null) this.notes.push(`A new Modal session was started for ${subject}: the previous one ${this.lostSession}.`)
    this.lostSession = null
    return this.session
  }

  private async startProcess(timeoutMs: number): Promise<Session> {
    const process = this.prestarted ?? new SessionProcess(sessionOptions(await this.locate(), this.options.env, this.options.actionRoot))
    this.prestarted = null
    return ModalSession.connect(process, timeoutMs, this.options.onTiming)
  }

  private dropSession(why: string): void {
    this.session = null
    this.lostSession = why
  }

  private async endSession(why: string): Promise<void> {
    await this.session?.close()
    if (this.session !== null) this.dropSession(why)
  }

  private failureError(failure: SessionFailure, what: string, terms: PhaseTerms): ActionError {
    const details = { stderrTail: failure.stderrTail || undefined }
    switch (failure.kind) {
      case 'spawn':
        return new ActionError(
          'ERR_MODAL_CLI_MISSING',
          `Could not start the Modal session with ${this.installation?.python ?? 'Python'}: ${failure.message}.`,
        )
      case 'client-missing':
        return new ActionError('ERR_MODAL_CLI_MISSING', `${capitalise(failure.message)}; install it with pip install modal.`, details)
      case 'timeout':
        return terms.timeout(details.stderrTail)
      case 'cancelled':
        return new ActionError('ERR_CANCELLED', `The job was cancelled while ${terms.subject} ran; it was stopped.`, details)
      case 'died':
        return new ActionError(terms.failure, `The Modal session ended during ${what}: ${failure.message}.`, details)
      case 'invalid':
        return new ActionError('ERR_UNEXPECTED', `The Modal session broke the protocol during ${what}: ${failure.message}.`, details)
      case 'refused':
        return new ActionError(
          'ERR_UNEXPECTED',
          `The action sent the Modal session a request it could not read (${what}): ${failure.message}.`,
        )
    }
  }
}

function historyArgs(appName: string, environment: string): string[] {
  return ['app', 'history', appName, '--env', environment, '--json']
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

// A rollback the server will not do (a plan without rollbacks, a permission) rather than one that broke.
function isRefusal(stderr: string): boolean {
  return /not available on|not allowed|your plan|permission denied|upgrade your/i.test(errorPanelMessage(stderr) ?? '')
}

function failureMessage(what: string, result: CliResult): string {
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
