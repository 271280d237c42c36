// The step's Modal sessions and how requests reach them: one session at a time, started on first need (or the one
// the entry point started early), a new one when the last died, each request retried within its phase's deadline
// while the failure is transient, and a session failure turned into the phase's error.
import { ActionError, type ErrorCode } from '../rules/errors.js'
import { withRetries, type RetryHooks, type RetryPolicy } from '../rules/retry.js'
import type { ModalInstallation } from './install.js'
import { errorPanelMessage, isTransient, tail } from './output.js'
import { judgeRaised, raisedMessage, type RaisedContext } from './raised.js'
import { ModalSession, requestLabel, SessionFailure, type Operation, type Outcome } from './session.js'
import { SessionProcess, sessionOptions } from './session-process.js'

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
  /** How sessions start; by default, modal-session/session.py in a process of its own (see `locate`, `prestarted`). */
  connect?: SessionConnector
  /** Finds the client (or installs it): called once, before the first check, outside any phase deadline. */
  locate: () => Promise<ModalInstallation>
  /** A session process started early for this step (the action's entry point starts one), if any. */
  prestarted?: SessionProcess | null
  /** The action's folder: modal-session/session.py is there. */
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
export interface PhaseTerms {
  deadline: number
  /** The phase's timeout error, with the last lines the session printed. */
  timeout: (lastOutput: string | undefined) => ActionError
  /** The code when the session dies or breaks down during the phase. */
  failure: ErrorCode
  /** What the user sees the phase as, in messages: "the preflight checks". */
  subject: string
}

export type CliResult = { exitCode: number; stdout: string; stderr: string }

export class SessionKeeper {
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

  /** The client version the current session (or, between sessions, the last one) loaded, when one has started. */
  get clientVersion(): string | null {
    return this.session?.clientVersion ?? this.lastClientVersion
  }

  private lastClientVersion: string | null = null

  /** Ends the session (at the end of the step). */
  async close(): Promise<void> {
    await this.session?.close()
    this.session = null
    this.prestarted?.kill()
    this.prestarted = null
  }

  /** An SDK operation, retried while what it raised is transient (never a started call) and time is left. */
  sdk<Op extends Operation>(op: Op, args: Record<string, unknown>, terms: PhaseTerms, context: RaisedContext): Promise<Outcome<Op>> {
    return this.retrying(
      requestLabel(op, args),
      terms,
      () => this.ask(op, args, terms, {}),
      (outcome) => (!outcome.ok && judgeRaised(outcome.raised, context).transient ? tail(raisedMessage(outcome.raised), 1, 200) : null),
    )
  }

  /** `modal <args>` in the session, retried while its error panel says the failure was transient. */
  async cli(
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

  async locate(): Promise<ModalInstallation> {
    this.installation ??= await this.options.locate()
    return this.installation
  }

  private async openSession(timeoutMs: number, subject: string): Promise<Session> {
    if (this.session !== null) return this.session
    this.session = await (this.options.connect ?? ((ms) => this.startProcess(ms)))(timeoutMs)
    this.lastClientVersion = this.session.clientVersion
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

  async endSession(why: string): Promise<void> {
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

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** A timeout as its messages say it: whole seconds. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`
}

export function commandLine(args: string[]): string {
  return ['modal', ...args].join(' ')
}
