// The single typed wrapper over the Modal client: every Modal operation of a step (checks, deploy, history, smoke
// call, rollback, logs) as requests to one Modal session (session.ts), which loads the client once. The policy
// lives here and in the session keeper: retries, when a new session is needed, error codes and messages. The session
// only reports facts.
import { ActionError, type ErrorCode } from '../rules/errors.js'
import { judgeImageFailure } from '../rules/image-build.js'
import type { HistoryRow } from '../rules/rollout.js'
import type { Strategy } from '../rules/settings.js'
import type { SecretRequirement } from '../rules/secrets-policy.js'
import {
  classifyDeployFailure,
  errorPanelMessage,
  parseDeployOutput,
  parseHistory,
  readImageBuildFailure,
  tail,
  type DeployOutput,
} from './output.js'
import { isAtLeast, ROLLBACK_STRATEGY_VERSION } from './client-version.js'
import { isNotFound, raisedError, readSecretLookup } from './raised.js'
import { smokeRequest, type SmokeAnswer, type SmokeCall } from './smoke-request.js'
import type { Operation } from './session.js'
import { commandLine, SessionKeeper, type CliResult, type ModalClientOptions, type PhaseTerms } from './session-keeper.js'

export { isSupportedClientVersion, MINIMUM_CLIENT_VERSION } from './client-version.js'
export type { SmokeCall } from './smoke-request.js'

export interface PreflightFindings {
  clientVersion: string | null
  secrets: { name: string; optional: boolean; status: 'found' | 'missing' | 'missing_keys'; missingKeys: string[] }[]
  app: { exists: false } | { exists: true; appId: string; history: HistoryRow[] }
}

export type StopResult = { status: 'stopped' | 'absent' } | { status: 'failed'; message: string; stderrTail: string }

type RollbackResult = { ok: true } | { ok: false; refused: boolean; message: string; stderrTail: string }

export class ModalClient {
  private readonly sessions: SessionKeeper
  /** The function calls this step started (smoke calls), in order: reported, and their logs shown on failure. */
  readonly functionCallIds: string[] = []
  /** A deploy already ran in this step: its session holds the module as that deploy's variables made it. */
  private deployedBefore = false

  constructor(private readonly options: ModalClientOptions) {
    this.sessions = new SessionKeeper(options)
  }

  /** What the summary should say about the sessions (a second one that had to be started). */
  get notes(): string[] {
    return this.sessions.notes
  }

  /** Token, environment, every secret (all reported, not the first only) and the app's history. */
  async preflight(environment: string, appName: string, secrets: SecretRequirement[], timeoutMs: number): Promise<PreflightFindings> {
    if (!this.options.connect) await this.sessions.locate()
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
      const outcome = await this.sessions.sdk(op, args, terms, 'preflight')
      if (!outcome.ok) throw raisedError(outcome.raised, 'preflight')
    }
    await required('authenticate', {})
    await required('environment', { name: environment })
    const secretReports: PreflightFindings['secrets'] = []
    for (const secret of secrets) {
      const outcome = await this.sessions.sdk('secret', { name: secret.name, environment, required_keys: secret.keys }, terms, 'preflight')
      const lookup = readSecretLookup(outcome.ok ? null : outcome.raised)
      if (lookup.status === 'error') throw raisedError(lookup.raised, 'preflight')
      secretReports.push({
        name: secret.name,
        optional: secret.optional,
        status: lookup.status,
        missingKeys: lookup.status === 'missing_keys' ? lookup.missingKeys : [],
      })
    }
    const app = await this.sessions.sdk('app', { name: appName, environment }, terms, 'preflight')
    if (!app.ok && !isNotFound(app.raised)) throw raisedError(app.raised, 'preflight')
    const appReport: PreflightFindings['app'] = app.ok
      ? { exists: true, appId: app.value.app_id, history: await this.readHistory(appName, environment, terms, 'ERR_PREFLIGHT_FAILED') }
      : { exists: false }
    return { clientVersion: this.sessions.clientVersion, secrets: secretReports, app: appReport }
  }

  /** `modal deploy -m modal_app --env <environment> --tag <tag>` in `moduleDir`, with the module's variables. */
  async deploy(
    request: { moduleDir: string; environment: string; tag: string; strategy: Strategy; moduleEnv: Record<string, string> },
    timeoutMs: number,
  ): Promise<DeployOutput> {
    const { moduleDir, environment, tag, moduleEnv } = request
    // Rolling is the client's default: the flag only for recreate.
    const strategy = request.strategy === 'recreate' ? ['--strategy', 'recreate'] : []
    const args = ['deploy', '-m', 'modal_app', '--env', environment, '--tag', tag, ...strategy]
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
    const result = await this.sessions.cli(args, terms, {
      cwd: moduleDir,
      env: moduleEnv,
      onLine: (line) => this.options.onOutputLine(line),
      // The session keeps the module it imported (docs/modal-client.md#running-the-client-in-one-process): a retried
      // deploy, or a second deploy of the step (verify-first's live deploy after its candidate's, whose module named
      // the candidate app), imports it anew, elsewhere.
      beforeAttempt: async () => {
        if (attempt++ > 0) await this.sessions.endSession('was closed so that the retried deploy imports the module anew')
        else if (this.deployedBefore) await this.sessions.endSession('was closed so that this deploy imports the module anew')
        this.deployedBefore = true
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

  /** Calls the deployed function once (smoke-request.ts); every call's id is kept in `functionCallIds`. */
  smoke(call: SmokeCall, timeoutMs: number): Promise<SmokeAnswer> {
    return smokeRequest(this.sessions, call, timeoutMs, (id) => this.functionCallIds.push(id))
  }

  /** `modal app rollback <app> v<N> --strategy S`: Modal publishes a new version that runs version N's definition. A
   * client older than 1.5.1 has no --strategy there: it rolls back with its default (rolling), and the notes say so. */
  async rollback(
    request: { appName: string; environment: string; version: number; strategy: Strategy },
    timeoutMs: number,
  ): Promise<RollbackResult> {
    const { appName, environment, version } = request
    const client = this.sessions.clientVersion
    const strategySupported = client === null || isAtLeast(client, ROLLBACK_STRATEGY_VERSION)
    if (!strategySupported && request.strategy === 'recreate') {
      this.sessions.notes.push(
        `The rollback used the client's default strategy (rolling): Modal client ${client} has no rollback --strategy (1.5.1 and later have).`,
      )
    }
    const strategy = strategySupported ? ['--strategy', request.strategy] : []
    const args = ['app', 'rollback', appName, `v${version}`, '--env', environment, ...strategy]
    const terms: PhaseTerms = {
      deadline: Date.now() + timeoutMs,
      timeout: (stderrTail) =>
        new ActionError('ERR_ROLLBACK_FAILED', `${commandLine(args)} did not finish within ${seconds(timeoutMs)}.`, { stderrTail }),
      failure: 'ERR_ROLLBACK_FAILED',
      subject: 'modal app rollback',
    }
    let result: CliResult
    try {
      result = await this.sessions.cli(args, terms, {})
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

  /**
   * `modal app stop <app> --env <env> --yes`. `absent`: there was nothing to stop (no such app, or already stopped:
   * both exit 1 with their own line). Never throws for the command's own failure: the caller decides what it means.
   */
  async stopApp(appName: string, environment: string, timeoutMs: number): Promise<StopResult> {
    const args = ['app', 'stop', appName, '--env', environment, '--yes']
    let result: CliResult
    try {
      result = await this.sessions.cli(args, this.quietTerms(timeoutMs, 'modal app stop'), {})
    } catch (error) {
      if (!(error instanceof ActionError) || error.code === 'ERR_CANCELLED') throw error
      return { status: 'failed', message: error.message, stderrTail: error.details.stderrTail ?? '' }
    }
    if (result.exitCode === 0) return { status: 'stopped' }
    const said = errorPanelMessage(result.stderr) ?? tail(result.stderr, 1, 500)
    if (/^No App with name '[^']+' found|^App is already stopped\./.test(said)) return { status: 'absent' }
    return { status: 'failed', message: failureMessage('modal app stop', result), stderrTail: tail(result.stderr) }
  }

  /** The app's recent log lines (`modal app logs <app> -n N`), only one function call's with `functionCallId`
   * (`--function-call`, client 1.5.4), or null when they cannot be had. */
  async logs(appName: string, environment: string, lines: number, timeoutMs: number, functionCallId?: string): Promise<string | null> {
    const only = functionCallId === undefined ? [] : ['--function-call', functionCallId]
    const result = await this.sessions
      .cli(['app', 'logs', appName, '--env', environment, '-n', String(lines), ...only], this.quietTerms(timeoutMs, 'modal app logs'), {})
      .catch(() => null)
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
    return this.sessions.cli(['app', 'logs', ...args], terms, { onLine })
  }

  /** `modal <args>` in the session, for the operations kept in files of their own (app-lifecycle.ts). */
  command(args: string[], terms: PhaseTerms): Promise<CliResult> {
    return this.sessions.cli(args, terms, {})
  }

  /** Ends the session (at the end of the step). */
  close(): Promise<void> {
    return this.sessions.close()
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
    const result = await this.sessions.cli(args, terms, {})
    const problem = (why: string) =>
      new ActionError(code, `${commandLine(args)} ${why}`, { command: commandLine(args), stderrTail: tail(result.stderr) })
    if (result.exitCode !== 0) throw problem(`failed: ${failureMessage('modal app history', result)}`)
    try {
      return parseHistory(result.stdout)
    } catch (error) {
      throw problem(`printed output that is not a version history (${(error as Error).message}): ${tail(result.stdout, 3, 300)}`)
    }
  }
}

function historyArgs(appName: string, environment: string): string[] {
  return ['app', 'history', appName, '--env', environment, '--json']
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

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`
}
