// Records a rollout as a GitHub Deployment of environment `modal-<environment>`, so the repository's Environments
// page shows what runs where. Strictly best effort: a GitHub API failure is a warning and never fails a deploy.
import { readFileSync } from 'node:fs'
import { REST_HEADERS } from '../platform/github-api.js'
import { isCancelled } from '../platform/process.js'
import type { getOctokit } from '@actions/github'
import type { RunReport } from '../rules/run-report.js'
import type { Settings } from '../rules/settings.js'
import type { Toolkit } from './toolkit.js'

export interface DeploymentSettings {
  token: string // '' = disabled
  modalEnvironment: string // e.g. 'dev' → GitHub environment 'modal-dev'
  description: string // e.g. 'llm/litellm@1 → llm-litellm-v1'
  /** A pull request's preview: environment `modal-<environment>-pr<N>`, transient (it goes away with the PR). */
  pullRequest?: number
  /** The preview's pull request head commit (from the event): on `pull_request` GITHUB_SHA is the merge commit. */
  headSha?: string | null
}

export type DeploymentSkip = { skipped: true; reason: string }

export interface DeploymentPlan {
  skipped: false
  apiUrl: string
  owner: string
  repo: string
  ref: string
  environment: string
  transient: boolean
  logUrl: string
  description: string
  token: string
}

export interface DeploymentRecorder {
  /** Creates the deployment and sets it in_progress; false when it could not be created (then nothing else is sent). */
  start(): Promise<boolean>
  /** Sets success or failure, linking the Modal dashboard (when known) and the run. */
  finish(state: 'success' | 'failure', environmentUrl: string | null, description: string): Promise<void>
  /** Sets inactive: the version this rollout deployed was replaced by a rollback. */
  markInactive(description: string): Promise<void>
}

/** Bounds every API request so a hanging GitHub cannot stall a deploy. */
export const DEFAULT_API_TIMEOUT_MS = 10_000

const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target']

/** GitHub rejects status descriptions longer than this. */
const DESCRIPTION_LIMIT = 140

/** Decides from the runner's environment, without any network call, whether to record the rollout. */
export function planDeployment(settings: DeploymentSettings, env: NodeJS.ProcessEnv): DeploymentPlan | DeploymentSkip {
  if (!settings.token) return skip('no github-token was given')
  const repository = /^([^/]+)\/([^/]+)$/.exec(env.GITHUB_REPOSITORY ?? '')
  if (!repository || !env.GITHUB_SHA || !env.GITHUB_RUN_ID) {
    return skip('not running in GitHub Actions (GITHUB_REPOSITORY, GITHUB_SHA or GITHUB_RUN_ID is unset)')
  }
  const fork = forkReason(env)
  if (fork !== null) return skip(fork)
  const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com'
  return {
    skipped: false,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    owner: repository[1],
    repo: repository[2],
    ref: (settings.pullRequest !== undefined && settings.headSha) || env.GITHUB_SHA,
    environment: githubEnvironment(settings.modalEnvironment, settings.pullRequest),
    transient: settings.pullRequest !== undefined,
    logUrl: `${serverUrl}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT || '1'}`,
    description: settings.description,
    token: settings.token,
  }
}

/** `modal-dev`, or a preview's `modal-dev-pr42`. */
export function githubEnvironment(modalEnvironment: string, pullRequest?: number): string {
  return `modal-${modalEnvironment}${pullRequest === undefined ? '' : `-pr${pullRequest}`}`
}

function skip(reason: string): DeploymentSkip {
  return { skipped: true, reason }
}

interface PullRequestEvent {
  pull_request?: {
    head?: { repo?: { full_name?: string } | null }
    base?: { repo?: { full_name?: string } }
  }
}

/**
 * Why a pull request event is skipped, or null when it may record. A fork's pull request gets a read-only token on
 * `pull_request`, and on `pull_request_target` it runs code nobody with write access has merged yet.
 */
function forkReason(env: NodeJS.ProcessEnv): string | null {
  const eventName = env.GITHUB_EVENT_NAME ?? ''
  if (!PULL_REQUEST_EVENTS.includes(eventName)) return null
  const pullRequest = readEvent(env.GITHUB_EVENT_PATH)?.pull_request
  // Without the payload a fork cannot be ruled out, so stay on the safe side.
  if (!pullRequest) return `the ${eventName} event payload could not be read to rule out a fork`
  const head = pullRequest.head?.repo?.full_name
  const base = pullRequest.base?.repo?.full_name ?? env.GITHUB_REPOSITORY
  return head === base ? null : `the ${eventName} comes from the fork ${head ?? '(a deleted repository)'}`
}

function readEvent(path: string | undefined): PullRequestEvent | null {
  if (!path) return null
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PullRequestEvent
  } catch {
    return null
  }
}

type GitHubClient = ReturnType<typeof getOctokit>
export type RequestOptions = { headers: typeof REST_HEADERS; request: { signal: AbortSignal } }
export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number | null; reason: string }
type StatusState = 'in_progress' | 'success' | 'failure' | 'inactive'

export function deploymentRecorder(
  plan: DeploymentPlan,
  warn: (message: string) => void,
  timeoutMs: number = DEFAULT_API_TIMEOUT_MS,
): DeploymentRecorder {
  const repository = { owner: plan.owner, repo: plan.repo }
  let created: { github: GitHubClient; id: number } | null = null

  async function setStatus(state: StatusState, description: string, environmentUrl: string | null): Promise<void> {
    if (created === null) return
    const { github, id } = created
    const result = await send(timeoutMs, (options) =>
      github.rest.repos.createDeploymentStatus({
        ...repository,
        deployment_id: id,
        state,
        description: shorten(description),
        log_url: plan.logUrl,
        ...(environmentUrl === null ? {} : { environment_url: environmentUrl }),
        // Only a success replaces what ran before: GitHub then marks the environment's earlier successful
        // deployments inactive. In progress, a failure or a rollback leaves the previous version serving,
        // so those must not (GitHub's default is true for every state).
        auto_inactive: state === 'success',
        ...options,
      }),
    )
    if (!result.ok) warn(`GitHub Deployment: setting deployment ${id} to ${state} failed (${result.reason}); the deploy goes on.`)
  }

  return {
    async start() {
      // Loaded here so that runs without a token never load Octokit.
      const { getOctokit } = await import('@actions/github')
      const github = getOctokit(plan.token, { baseUrl: plan.apiUrl })
      const result = await send(timeoutMs, (options) =>
        github.rest.repos.createDeployment({
          ...repository,
          ref: plan.ref,
          environment: plan.environment,
          description: shorten(plan.description),
          payload: { processor: plan.description },
          auto_merge: false,
          // The deploy itself is the check; commit statuses must not block recording it.
          required_contexts: [],
          transient_environment: plan.transient,
          production_environment: plan.environment === 'modal-main',
          ...options,
        }),
      )
      if (!result.ok) {
        warn(creationFailure(plan.environment, result.status, result.reason))
        return false
      }
      if (!('id' in result.data)) {
        warn(
          `GitHub Deployment: GitHub did not create a deployment for ${plan.environment} (${result.data.message ?? 'no id in the answer'}); the deploy goes on.`,
        )
        return false
      }
      created = { github, id: result.data.id }
      await setStatus('in_progress', plan.description, null)
      return true
    },
    finish: (state, environmentUrl, description) => setStatus(state, description, environmentUrl),
    markInactive: (description) => setStatus('inactive', description, null),
  }
}

/** 403 and 404 are what GitHub answers a token without `deployments: write`. */
function creationFailure(environment: string, status: number | null, reason: string): string {
  if (status === 403 || status === 404) {
    return `GitHub Deployment skipped: the token lacks deployments: write (${reason}). Grant it in the job's permissions to record ${environment}.`
  }
  return `GitHub Deployment: creating the deployment for ${environment} failed (${reason}); the deploy goes on without it.`
}

/** Once the job is cancelled, the runner kills the step within about 10 s: API calls then get this long. */
export const CANCELLED_API_TIMEOUT_MS = 2_000

/** Runs one request with the REST headers and a deadline; turns every failure into a result. */
export async function send<Response extends { data: unknown }>(
  requestedMs: number,
  call: (options: RequestOptions) => Promise<Response>,
): Promise<ApiResult<Response['data']>> {
  const timeoutMs = isCancelled() ? Math.min(requestedMs, CANCELLED_API_TIMEOUT_MS) : requestedMs
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    const response = await call({ headers: REST_HEADERS, request: { signal } })
    return { ok: true, data: response.data }
  } catch (error) {
    if (signal.aborted) return { ok: false, status: null, reason: `no answer within ${timeoutMs} ms` }
    const status = answeredStatus(error)
    const message = error instanceof Error ? error.message : String(error)
    return { ok: false, status, reason: status === null ? message : `HTTP ${status}: ${message}` }
  }
}

/** The server's status code. Octokit also reports network errors as status 500, but only an answer has a response. */
function answeredStatus(error: unknown): number | null {
  const status = (error as { response?: { status?: unknown } } | null)?.response?.status
  return typeof status === 'number' ? status : null
}

function shorten(text: string): string {
  const characters = [...text]
  return characters.length <= DESCRIPTION_LIMIT ? text : `${characters.slice(0, DESCRIPTION_LIMIT - 1).join('')}…`
}

/** Records the rollout as a GitHub Deployment when a token allows it; API trouble is only ever a warning. */
export async function startGithubDeployment(
  kit: Toolkit,
  settings: Settings,
  preview?: { pullRequest: number; headSha: string | null },
): Promise<DeploymentRecorder | null> {
  const plan = planDeployment(
    {
      token: settings.githubToken,
      modalEnvironment: settings.environment,
      description: `${settings.processorRef} → ${settings.appName}`,
      ...(preview === undefined ? {} : { pullRequest: preview.pullRequest, headSha: preview.headSha }),
    },
    kit.env,
  )
  if (plan.skipped) {
    kit.info(`GitHub Deployment not recorded: ${plan.reason}.`)
    return null
  }
  const warn = (message: string) => kit.annotate('warning', 'GitHub Deployment', message)
  const recorder = deploymentRecorder(plan, warn)
  try {
    return (await recorder.start()) ? recorder : null
  } catch (error) {
    // Whatever the API client does, recording the rollout must never fail the deploy.
    warn(`not recorded: ${(error as Error).message}`)
    return null
  }
}

export async function finishGithubDeployment(recorder: DeploymentRecorder | null, report: RunReport): Promise<void> {
  if (recorder === null) return
  const version = report.deployedVersion === null ? '' : ` v${report.deployedVersion}`
  if (report.errors.length === 0) {
    await recorder.finish('success', report.dashboardUrl, `${report.appName}${version} live, smoke call passed`)
    return
  }
  await recorder.finish('failure', report.dashboardUrl, `${report.appName}${version}: ${report.errors[0].code}`)
  if (report.rolledBack) await recorder.markInactive(`${report.appName}${version} replaced by rollback to v${report.versionBefore}`)
}
