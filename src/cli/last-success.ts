// The commit of the calling workflow's last successful run on this branch, from the GitHub Actions API: a fleet plan
// against it also takes back what a failed run left undeployed (a plan against the push's own base would not).
import * as z from 'zod'
import { oneLine } from '../rules/untrusted-text.js'
import { CommandError, UsageError } from './options.js'
import { getGitHubJson } from './github-rest.js'

export interface WorkflowContext {
  apiUrl: string
  repository: string
  /** The workflow file's name, e.g. deploy-on-push.yml (the caller's, when a reusable workflow runs). */
  workflowFile: string
  branch: string
  token: string
}

/** From the variables the runner sets (GITHUB_WORKFLOW_REF names the caller in a reusable workflow). */
export function workflowContext(env: NodeJS.ProcessEnv): WorkflowContext {
  const workflow = /^[^/]+\/[^/]+\/\.github\/workflows\/([^@/]+)@/.exec(env.GITHUB_WORKFLOW_REF ?? '')
  const branch = /^refs\/heads\/(.+)$/.exec(env.GITHUB_REF ?? '')
  const missing = [
    ...(env.GITHUB_REPOSITORY ? [] : ['GITHUB_REPOSITORY']),
    ...(workflow ? [] : ['GITHUB_WORKFLOW_REF']),
    ...(branch ? [] : ['GITHUB_REF (a branch)']),
    ...(env.GITHUB_TOKEN ? [] : ['GITHUB_TOKEN']),
  ]
  if (missing.length > 0 || !workflow || !branch) {
    throw new UsageError(
      `--since-last-success asks GitHub for this workflow's runs, so it runs in a workflow on a branch with GITHUB_TOKEN set (actions: read); missing: ${missing.join(', ')}.`,
    )
  }
  return {
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    repository: env.GITHUB_REPOSITORY!,
    workflowFile: workflow[1],
    branch: branch[1],
    token: env.GITHUB_TOKEN!,
  }
}

const runsSchema = z.object({ workflow_runs: z.array(z.object({ head_sha: z.string().regex(/^[0-9a-f]{40}$/) })) })

/** The head commit of the last successful run, or null when the workflow has none on this branch yet. */
export async function lastSuccessfulCommit(context: WorkflowContext): Promise<string | null> {
  const query = new URLSearchParams({ branch: context.branch, status: 'success', per_page: '1', exclude_pull_requests: 'true' })
  const url = `${context.apiUrl}/repos/${context.repository}/actions/workflows/${encodeURIComponent(context.workflowFile)}/runs?${query}`
  const failed = (why: string) =>
    new CommandError(`--since-last-success could not read the runs of ${context.workflowFile} from GitHub: ${oneLine(why)}.`)
  const body = await getGitHubJson(url, context.token, 'actions: read', failed)
  const runs = runsSchema.safeParse(body)
  if (!runs.success) throw failed('the answer is not a list of workflow runs')
  return runs.data.workflow_runs[0]?.head_sha ?? null
}
