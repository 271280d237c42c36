// One Modal app in one environment: every operation that names an app (its history, a call of its `run`, a rollback,
// a stop, its logs) goes through the ModalApp bound to it (`ModalClient.app`), so a step cannot read one app's
// history and roll back another, or ask the right app in the wrong environment.
import { ActionError, type ErrorCode } from '../rules/errors.js'
import type { HistoryRow } from '../rules/rollout.js'
import type { Strategy } from '../rules/settings.js'
import { isAtLeast, ROLLBACK_STRATEGY_VERSION } from './client-version.js'
import { errorPanelMessage, failureMessage, parseHistory, tail } from './output.js'
import { commandLine, seconds, type CliResult, type PhaseTerms, type SessionKeeper } from './session-keeper.js'
import { smokeRequest, type SmokeAnswer } from './smoke-request.js'

export type StopResult = { status: 'stopped' | 'absent' } | { status: 'failed'; message: string; stderrTail: string }

export type RollbackResult = { ok: true } | { ok: false; refused: boolean; message: string; stderrTail: string }

export class ModalApp {
  constructor(
    private readonly sessions: SessionKeeper,
    readonly name: string,
    readonly environment: string,
    /** Told the id of every function call this app's smoke calls start. */
    private readonly onCall: (functionCallId: string) => void,
  ) {}

  /** `modal app history <app> --json`, newest first. */
  history(timeoutMs: number): Promise<HistoryRow[]> {
    const terms: PhaseTerms = {
      deadline: Date.now() + timeoutMs,
      timeout: (stderrTail) =>
        new ActionError('ERR_DEPLOY_UNVERIFIED', `${commandLine(this.historyArgs())} did not answer within ${seconds(timeoutMs)}.`, {
          stderrTail,
        }),
      failure: 'ERR_DEPLOY_UNVERIFIED',
      subject: 'modal app history',
    }
    return this.readHistory(terms, 'ERR_DEPLOY_UNVERIFIED')
  }

  /** The history under a phase's terms; a failure, or output that is not a history, is `code`. */
  async readHistory(terms: PhaseTerms, code: ErrorCode): Promise<HistoryRow[]> {
    const args = this.historyArgs()
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

  /** Calls the deployed `run` once with `payload`, pinned to `version` (null: whatever is live); see smoke-request.ts. */
  smoke(request: { version: number | null; payload: Record<string, unknown> }, timeoutMs: number): Promise<SmokeAnswer> {
    const call = { environment: this.environment, appName: this.name, ...request }
    return smokeRequest(this.sessions, call, timeoutMs, this.onCall)
  }

  /** `modal app rollback <app> v<N> --strategy S`: Modal publishes a new version that runs version N's definition. A
   * client older than 1.5.1 has no --strategy there: it rolls back with its default (rolling), and the notes say so. */
  async rollback(request: { version: number; strategy: Strategy }, timeoutMs: number): Promise<RollbackResult> {
    const client = this.sessions.clientVersion
    const strategySupported = client === null || isAtLeast(client, ROLLBACK_STRATEGY_VERSION)
    if (!strategySupported && request.strategy === 'recreate') {
      this.sessions.notes.push(
        `The rollback used the client's default strategy (rolling): Modal client ${client} has no rollback --strategy (1.5.1 and later have).`,
      )
    }
    const strategy = strategySupported ? ['--strategy', request.strategy] : []
    const args = ['app', 'rollback', this.name, `v${request.version}`, '--env', this.environment, ...strategy]
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
  async stop(timeoutMs: number): Promise<StopResult> {
    const args = this.stopArgs()
    let result: CliResult
    try {
      result = await this.sessions.cli(args, quietTerms(timeoutMs, 'modal app stop'), {})
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
  async logs(lines: number, timeoutMs: number, functionCallId?: string): Promise<string | null> {
    const only = functionCallId === undefined ? [] : ['--function-call', functionCallId]
    const args = ['app', 'logs', this.name, '--env', this.environment, '-n', String(lines), ...only]
    const result = await this.sessions.cli(args, quietTerms(timeoutMs, 'modal app logs'), {}).catch(() => null)
    return result?.exitCode === 0 ? result.stdout : null
  }

  /** The command that stops this app, for a message that tells a user to run it by hand. */
  get stopCommand(): string {
    return commandLine(this.stopArgs())
  }

  private stopArgs(): string[] {
    return ['app', 'stop', this.name, '--env', this.environment, '--yes']
  }

  private historyArgs(): string[] {
    return ['app', 'history', this.name, '--env', this.environment, '--json']
  }
}

function quietTerms(timeoutMs: number, subject: string): PhaseTerms {
  return {
    deadline: Date.now() + timeoutMs,
    timeout: () => new ActionError('ERR_UNEXPECTED', `${subject} did not answer in time.`),
    failure: 'ERR_UNEXPECTED',
    subject,
  }
}

// A rollback the server will not do (a plan without rollbacks, a permission) rather than one that broke.
function isRefusal(stderr: string): boolean {
  return /not available on|not allowed|your plan|permission denied|upgrade your/i.test(errorPanelMessage(stderr) ?? '')
}
