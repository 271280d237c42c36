// The single typed wrapper over the Modal client: every Modal operation of a step (checks, deploy, and through the
// app it is bound to (modal-app.ts) history, smoke call, rollback, stop, logs) as requests to one Modal session
// (session.ts), which loads the client once. The policy
// lives here and in the session keeper: retries, when a new session is needed, error codes and messages. The session
// only reports facts.
import { ActionError } from '../rules/errors.js'
import { judgeImageFailure } from '../rules/image-build.js'
import type { HistoryRow } from '../rules/rollout.js'
import type { Strategy } from '../rules/settings.js'
import type { SecretRequirement } from '../rules/secrets-policy.js'
import { ModalApp } from './modal-app.js'
import { classifyDeployFailure, failureMessage, parseDeployOutput, readImageBuildFailure, tail, type DeployOutput } from './output.js'
import { isNotFound, raisedError, readSecretLookup } from './raised.js'
import type { Operation } from './session.js'
import { commandLine, seconds, SessionKeeper, type CliResult, type ModalClientOptions, type PhaseTerms } from './session-keeper.js'

export { isSupportedClientVersion, MINIMUM_CLIENT_VERSION } from './client-version.js'
export type { ModalApp, StopResult } from './modal-app.js'

export interface PreflightFindings {
  clientVersion: string | null
  secrets: { name: string; optional: boolean; status: 'found' | 'missing' | 'missing_keys'; missingKeys: string[] }[]
  app: { exists: false } | { exists: true; appId: string; history: HistoryRow[] }
}

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
  async preflight(app: ModalApp, secrets: SecretRequirement[], timeoutMs: number): Promise<PreflightFindings> {
    const { environment } = app
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
    const found = await this.sessions.sdk('app', { name: app.name, environment }, terms, 'preflight')
    if (!found.ok && !isNotFound(found.raised)) throw raisedError(found.raised, 'preflight')
    const appReport: PreflightFindings['app'] = found.ok
      ? { exists: true, appId: found.value.app_id, history: await app.readHistory(terms, 'ERR_PREFLIGHT_FAILED') }
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

  /** The app `name` in `environment`: its history, smoke calls, rollback, stop and logs. */
  app(name: string, environment: string): ModalApp {
    return new ModalApp(this.sessions, name, environment, (id) => this.functionCallIds.push(id))
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
}
