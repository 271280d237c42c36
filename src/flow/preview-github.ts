// What a preview leaves on GitHub: one comment on the pull request per processor (found by its marker, created once,
// then edited), and, on close, its transient GitHub Deployment marked inactive. Best effort, like the GitHub
// Deployment of a live deploy: an API failure is a warning, and the step is judged by its deploy and smoke call alone.
import type { getOctokit } from '@actions/github'
import { isPreviewComment, previewMarker, renderPreviewComment, type PreviewCommentFacts } from '../rules/preview-comment.js'
import { redactor } from '../rules/redaction.js'
import type { RunReport } from '../rules/run-report.js'
import type { Settings } from '../rules/settings.js'
import { DEFAULT_API_TIMEOUT_MS, githubEnvironment, send, type ApiResult } from './github-deployment.js'
import type { PreviewTarget } from './preview.js'
import type { Toolkit } from './toolkit.js'

type GitHubClient = ReturnType<typeof getOctokit>

/** Comments are read 100 a page; a pull request with more than this many pages is not searched further. */
const MAX_COMMENT_PAGES = 30

interface Repository {
  owner: string
  repo: string
}

async function connect(kit: Toolkit, token: string): Promise<{ github: GitHubClient; repository: Repository } | null> {
  const repository = /^([^/]+)\/([^/]+)$/.exec(kit.env.GITHUB_REPOSITORY ?? '')
  if (!token || !repository) {
    kit.info(`Preview comment not written: ${token ? 'GITHUB_REPOSITORY is unset' : 'no github-token was given'}.`)
    return null
  }
  // Loaded here so that runs without a preview never load Octokit.
  const { getOctokit } = await import('@actions/github')
  const github = getOctokit(token, { baseUrl: kit.env.GITHUB_API_URL || 'https://api.github.com' })
  return { github, repository: { owner: repository[1], repo: repository[2] } }
}

function runUrl(env: NodeJS.ProcessEnv): string | null {
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return null
  return `${env.GITHUB_SERVER_URL || 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
}

/** What the warning says for a refused request: 403 (and 404 on a private repository) is a missing permission. */
function refused(what: string, result: Extract<ApiResult<unknown>, { ok: false }>, permission: string): string {
  if (result.status === 403 || result.status === 404) {
    return `${what} skipped: the token lacks ${permission} (${result.reason}). Grant it in the job's permissions; the deploy and its smoke call decide the step.`
  }
  return `${what} failed (${result.reason}); the deploy and its smoke call decide the step.`
}

/** Who writes the comments: the token's own login, or (when GitHub will not say) any bot, github-actions[bot] first. */
type Author = { login: string } | { bot: true }

const ACTIONS_BOT = 'github-actions[bot]'

/**
 * The token's identity, asked once: GET /user names a personal access token's user; the job's GITHUB_TOKEN and app
 * installation tokens are refused it (403), and then only a bot's comment can be ours (a user cannot post as a bot).
 */
async function tokenAuthor(github: GitHubClient): Promise<Author> {
  const result = await send(DEFAULT_API_TIMEOUT_MS, (options) => github.rest.users.getAuthenticated({ ...options }))
  return result.ok && typeof result.data.login === 'string' && result.data.login !== '' ? { login: result.data.login } : { bot: true }
}

/**
 * The id of this processor's comment on the pull request, when it has one. Anyone can paste the marker into a comment,
 * so only a comment written by the token's own identity is ours: another author's is never edited, whatever it says.
 */
async function findComment(
  github: GitHubClient,
  repository: Repository,
  pullRequest: number,
  marker: string,
  author: Author,
): Promise<ApiResult<number | null>> {
  let anyBot: number | null = null
  for (let page = 1; page <= MAX_COMMENT_PAGES; page++) {
    const result = await send(DEFAULT_API_TIMEOUT_MS, (options) =>
      github.rest.issues.listComments({ ...repository, issue_number: pullRequest, per_page: 100, page, ...options }),
    )
    if (!result.ok) return result
    for (const comment of result.data.filter((c) => isPreviewComment(c.body, marker))) {
      const login = comment.user?.login ?? ''
      if ('login' in author) {
        if (login.toLowerCase() === author.login.toLowerCase()) return { ok: true, data: comment.id }
      } else if (comment.user?.type === 'Bot') {
        if (login === ACTIONS_BOT) return { ok: true, data: comment.id }
        anyBot ??= comment.id
      }
    }
    if (result.data.length < 100) break
  }
  return { ok: true, data: anyBot }
}

function update(github: GitHubClient, repository: Repository, id: number, body: string) {
  return send(DEFAULT_API_TIMEOUT_MS, (options) => github.rest.issues.updateComment({ ...repository, comment_id: id, body, ...options }))
}

/** Creates the processor's comment on the pull request, or edits the one it already has; never a second one. */
export async function writePreviewComment(
  kit: Toolkit,
  run: { preview: PreviewTarget; settings: Settings },
  report: RunReport,
  secretValues: string[],
): Promise<void> {
  const { preview, settings } = run
  const warn = (message: string) => kit.annotate('warning', 'Preview comment', message)
  try {
    const connected = await connect(kit, settings.githubToken)
    if (connected === null) return
    const { github, repository } = connected
    const facts: PreviewCommentFacts = {
      processorRef: settings.processorRef,
      environment: settings.environment,
      appName: settings.appName,
      pullRequest: preview.pullRequest,
      state: commentState(preview, report),
      version: report.versionAfter,
      smokeStatus: report.smokeStatus,
      error: report.errors[0] ?? null,
      commit: preview.headSha ?? kit.env.GITHUB_SHA ?? null,
      dashboardUrl: report.dashboardUrl,
      runUrl: runUrl(kit.env),
    }
    const marker = previewMarker(settings.processorRef, settings.environment)
    const body = renderPreviewComment(facts, redactor(secretValues))
    const found = await findComment(github, repository, preview.pullRequest, marker, await tokenAuthor(github))
    if (!found.ok) return warn(refused('Reading the pull request comments', found, 'pull-requests: write'))
    // A close plans every processor: one that never had a preview gets no comment just to say so.
    if (found.data === null && preview.action === 'teardown') return kit.info('No preview comment to update.')
    const create = () =>
      send(DEFAULT_API_TIMEOUT_MS, (options) =>
        github.rest.issues.createComment({ ...repository, issue_number: preview.pullRequest, body, ...options }),
      )
    const existing = found.data
    let written = existing === null ? await create() : await update(github, repository, existing, body)
    // Our comment deleted meanwhile (404), or another app's bot comment (403): the preview gets a comment of its own.
    const recreated = existing !== null && !written.ok && (written.status === 403 || written.status === 404)
    if (recreated) written = await create()
    if (!written.ok) return warn(refused('The preview comment', written, 'pull-requests: write'))
    kit.info(`Preview comment ${existing === null || recreated ? 'written' : 'updated'} on pull request #${preview.pullRequest}.`)
  } catch (error) {
    // Whatever the API client does, the comment must never fail the step.
    warn(`not written: ${(error as Error).message}`)
  }
}

/** On close: every deployment of the preview's GitHub environment is marked inactive (the app no longer runs). */
export async function deactivatePreviewDeployments(kit: Toolkit, settings: Settings, pullRequest: number): Promise<void> {
  const warn = (message: string) => kit.annotate('warning', 'GitHub Deployment', message)
  const environment = githubEnvironment(settings.environment, pullRequest)
  try {
    const connected = await connect(kit, settings.githubToken)
    if (connected === null) return
    const { github, repository } = connected
    const listed = await send(DEFAULT_API_TIMEOUT_MS, (options) =>
      github.rest.repos.listDeployments({ ...repository, environment, per_page: 100, ...options }),
    )
    if (!listed.ok) return warn(refused(`Marking ${environment} inactive`, listed, 'deployments: write'))
    for (const deployment of listed.data) {
      const result = await send(DEFAULT_API_TIMEOUT_MS, (options) =>
        github.rest.repos.createDeploymentStatus({
          ...repository,
          deployment_id: deployment.id,
          state: 'inactive',
          description: `${settings.appName} stopped: pull request #${pullRequest} closed`.slice(0, 140),
          ...options,
        }),
      )
      if (!result.ok) return warn(refused(`Marking ${environment} inactive`, result, 'deployments: write'))
    }
  } catch (error) {
    warn(`not marked inactive: ${(error as Error).message}`)
  }
}

/** After a preview's run: on close its deployments are marked inactive; then its comment says how the run went. */
export async function finishPreview(
  kit: Toolkit,
  run: { preview: PreviewTarget; settings: Settings },
  report: RunReport,
  secretValues: string[],
): Promise<void> {
  if (run.preview.action === 'teardown' && report.errors.length === 0) {
    await deactivatePreviewDeployments(kit, run.settings, run.preview.pullRequest)
  }
  await writePreviewComment(kit, run, report, secretValues)
}

function commentState(preview: PreviewTarget, report: RunReport): PreviewCommentFacts['state'] {
  const failed = report.errors.length > 0
  if (preview.action === 'teardown') return failed ? 'removal-failed' : 'removed'
  return failed ? 'failed' : 'deployed'
}
