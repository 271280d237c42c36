// One GET of GitHub's REST API for the CLI's commands (matrix --since-last-success, prune): the REST headers, a
// deadline, a bounded body, and a refusal explained (a rate limit, or the permission the job lacks).
import { REST_HEADERS } from '../platform/github-api.js'

const API_TIMEOUT_MS = 10_000
/** An answer is read up to its caller's bound (this by default); an error body only for its first words. */
const MAX_ANSWER_BYTES = 1024 * 1024
const MAX_ERROR_BYTES = 64 * 1024

/** The parsed JSON body; any failure is `failed(why)`, thrown. `permission` is what a 403 or 404 asks the job for. */
export async function getGitHubJson(
  url: string,
  token: string,
  permission: string,
  failed: (why: string) => Error,
  maxBytes: number = MAX_ANSWER_BYTES,
): Promise<unknown> {
  let response: Response
  try {
    response = await fetch(url, {
      headers: { ...REST_HEADERS, authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    })
  } catch (error) {
    throw failed((error as Error).message)
  }
  const { text, over } = await boundedText(response, response.ok ? maxBytes : MAX_ERROR_BYTES)
  if (!response.ok) throw failed(`HTTP ${response.status}${refusalHint(response, text, permission)}: ${text.slice(0, 300)}`)
  if (over) throw failed(`the answer is larger than ${maxBytes} bytes`)
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw failed('the answer is not JSON')
  }
}

/** What a refusal asks of the user: to wait for a rate limit (GitHub answers 403 or 429, with no requests left or a
 * message that says so), or to give the job the permission to read runs (403, or 404 for a private repository). */
function refusalHint(response: Response, text: string, permission: string): string {
  const limited =
    response.status === 429 ||
    (response.status === 403 && (response.headers.get('x-ratelimit-remaining') === '0' || /rate limit/i.test(text)))
  if (limited) return ` (GitHub's API rate limit: run the job again ${retryTime(response.headers)})`
  return response.status === 403 || response.status === 404 ? ` (the job needs permissions: ${permission})` : ''
}

/** When a rate limit ends, from retry-after (seconds) or x-ratelimit-reset (epoch seconds). */
function retryTime(headers: Headers): string {
  const after = Number(headers.get('retry-after') ?? Number.NaN)
  if (Number.isInteger(after) && after >= 0) return `in ${after} s or later`
  const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN)
  if (Number.isInteger(reset) && reset > 0 && reset < 1e11) return `after ${new Date(reset * 1000).toISOString()}`
  return 'later'
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
