// What a `preview: true` step does, decided from the pull request event alone (the event's name and its payload, as
// the runner gives them): deploy the PR's preview, tear it down, or skip without touching Modal. Pure: the flow reads
// the payload file and the environment and passes them in.
import { bounded, oneLine } from './untrusted-text.js'
import { PULL_REQUEST_MAX } from './naming.js'

export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'] as const

/** The actions that (re)deploy a preview; `closed` (merged or not) tears it down; any other action does nothing. */
const DEPLOY_ACTIONS = ['opened', 'synchronize', 'reopened']

export type PreviewDecision =
  | { kind: 'deploy'; pullRequest: number; headSha: string | null }
  | { kind: 'teardown'; pullRequest: number }
  | { kind: 'skip'; pullRequest: number | null; reason: string }
  /** `preview: true` on an event that is no pull request event (ERR_PREVIEW_EVENT). */
  | { kind: 'refuse'; message: string }

export interface PreviewContext {
  eventName: string
  /** The parsed event payload, or null when it could not be read. */
  payload: unknown
  /** GITHUB_REPOSITORY: the base repository when the payload does not name it. */
  repository: string
  /** Both MODAL_TOKEN_ID and MODAL_TOKEN_SECRET are set. */
  modalTokenPresent: boolean
}

/** Why a fork's pull request cannot deploy, said once for the notice and the docs. */
export const FORK_REASON =
  'pull requests from forks receive no secrets (no Modal token), so no preview is deployed for them; a maintainer can deploy it from a branch of this repository'

function text(value: unknown, max = 200): string {
  return oneLine(bounded(String(value), max))
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
}

function repoName(side: unknown): string | null {
  const name = field(field(side, 'repo'), 'full_name')
  return typeof name === 'string' ? name : null
}

export function decidePreview(context: PreviewContext): PreviewDecision {
  const { eventName, payload } = context
  if (!(PULL_REQUEST_EVENTS as readonly string[]).includes(eventName)) {
    return {
      kind: 'refuse',
      message: `preview: true deploys a pull request's preview, but this step runs on the '${text(eventName || '(none)')}' event; run it on pull_request or pull_request_target.`,
    }
  }
  const pullRequest = field(payload, 'pull_request')
  const number = field(payload, 'number') ?? field(pullRequest, 'number')
  const action = field(payload, 'action')
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1 || number > PULL_REQUEST_MAX || pullRequest === undefined) {
    return { kind: 'refuse', message: `preview: true could not read the pull request's number from the ${eventName} event payload.` }
  }
  if (typeof action !== 'string') {
    return { kind: 'refuse', message: `preview: true could not read the action of the ${eventName} event payload.` }
  }
  const head = repoName(field(pullRequest, 'head'))
  const base = repoName(field(pullRequest, 'base')) ?? context.repository
  if (head !== base) {
    return {
      kind: 'skip',
      pullRequest: number,
      reason: `pull request #${number} comes from ${head === null ? 'a deleted fork' : `the fork ${text(head)}`}: ${FORK_REASON}`,
    }
  }
  if (action !== 'closed' && !DEPLOY_ACTIONS.includes(action)) {
    return {
      kind: 'skip',
      pullRequest: number,
      reason: `the pull request was ${text(action, 50)}: only opened, synchronize, reopened and closed change a preview`,
    }
  }
  if (!context.modalTokenPresent) {
    return {
      kind: 'skip',
      pullRequest: number,
      reason: `no Modal token (MODAL_TOKEN_ID, MODAL_TOKEN_SECRET) in this ${eventName} run: ${FORK_REASON}`,
    }
  }
  if (action === 'closed') return { kind: 'teardown', pullRequest: number }
  const sha = field(field(pullRequest, 'head'), 'sha')
  return { kind: 'deploy', pullRequest: number, headSha: typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha) ? sha : null }
}
