// The commit of the calling workflow's last successful run on this branch, from the GitHub Actions API: a fleet plan
// against it also takes back what a failed run left undeployed (a plan against the push's own base would not).
import * as z from 'zod'
import { oneLine } from '../rules/untrusted-text.js'
import { CommandError, UsageError } from './options.js'
import { REST_HEADERS } from '../platform/github-api.js'

const API_TIMEOUT_MS = 10_000
/** A page of one run is a few KiB; an error body is read only for its first words. Neither is read past its bound. */
const MAX_ANSWER_BYTES = 1024 * 1024
const MAX_ERROR_BYTES = 64 * 1024

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

/** What a refusal asks of the user: to wait for a rate limit (GitHub answers 403 or 429, with no requests left or a
 * message that says so), or to give the job the permission to read runs (403, or 404 for a private repository). */
function refusalHint(response: Response, text: string): string {
  const limited =
    response.status === 429 ||
    (response.status === 403 && (response.headers.get('x-ratelimit-remaining') === '0' || /rate limit/i.test(text)))
  if (limited) return ` (GitHub's API rate limit: run the job again ${retryTime(response.headers)})`
  return response.status === 403 || response.status === 404 ? ' (the job needs permissions: actions: read)' : ''
}

/** When a rate limit ends, from retry-after (seconds) or x-ratelimit-reset (epoch seconds). */
function retryTime(headers: Headers): string {
  const after = Number(headers.get('retry-after') ?? Number.NaN)
  if (Number.isInteger(after) && after >= 0) return `in ${after} s or later`
  const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN)
  if (Number.isInteger(reset) && reset > 0 && reset < 1e11) return `after ${new Date(reset * 1000).toISOString()}`
  return 'later'
}

const runsSchema = z.object({ workflow_runs: z.array(z.object({ head_sha: z.string().regex(/^[0-9a-f]{40}$/) })) })

/** The head commit of the last successful run, or null when the workflow has none on this branch yet. */
export async function lastSuccessfulCommit(context: WorkflowContext): Promise<string | null> {
  const query = new URLSearchParams({ branch: context.branch, status: 'success', per_page: '1', exclude_pull_requests: 'true' })
  const url = `${context.apiUrl}/repos/${context.repository}/actions/workflows/${encodeURIComponent(context.workflowFile)}/runs?${query}`
  const failed = (why: string) =>
    new CommandError(`--since-last-success could not read the runs of ${context.workflowFile} from GitHub: ${oneLine(why)}.`)
  let response: Response
  try {
    response = await fetch(url, {
      headers: { ...REST_HEADERS, authorization: `Bearer ${context.token}` },
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    })
  } catch (error) {
    throw failed((error as Error).message)
  }
  const { text, over } = await boundedText(response, response.ok ? MAX_ANSWER_BYTES : MAX_ERROR_BYTES)
  if (!response.ok) throw failed(`HTTP ${response.status}${refusalHint(response, text)}: ${text.slice(0, 300)}`)
  if (over) throw failed(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw failed('the answer is not JSON')
  }
  const runs = runsSchema.safeParse(body)
  if (!runs.success) throw failed('the answer is not a list of workflow runs')
  return runs.data.workflow_runs[0]?.head_sha ?? null
}

/** At most `maxBytes` of a body (UTF-8), and whether it had more; the rest is never read: the stream is cancelled. */
async function boundedText(response: Response, maxBytes: number): Promise<{ text: string; over: boolean }> {
  if (response.body === null) return { text: '', over: false }
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let done = false
  try {
    while (!done && size <= maxBytes) {
      const read = await reader.read()
      done = read.done
      if (read.value) chunks.push(read.value)
      size += read.value?.byteLength ?? 0
    }
  } catch {
    // A body cut short (a reset, the timeout) is what arrived so far.
  } finally {
    if (!done) await reader.cancel().catch(() => undefined)
  }
  return { text: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'), over: size > maxBytes }
}
