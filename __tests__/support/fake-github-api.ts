// A GitHub REST API on loopback for the Deployments and Releases endpoints: it records every request and answers with
// GitHub's shapes, so tests exercise Octokit (and the release script) over real HTTP instead of a mocked client.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: unknown
}

/** An answer (with headers of its own, e.g. x-ratelimit-remaining), or 'no answer' to keep the request hanging like an
 * unresponsive server. */
export type Reply = { status: number; body: unknown; headers?: Record<string, string> } | 'no answer'

export interface FakeRelease {
  id: number
  tag_name: string
  name: string
  body: string
  prerelease: boolean
  html_url: string
}

export interface FakeComment {
  id: number
  issue: number
  body: string
  user: { login: string; type: string }
}

export interface FakeGitHubApi {
  url: string
  requests: RecordedRequest[]
  /** Issue and pull request comments: created by POST, edited by PATCH, listed by page. */
  comments: FakeComment[]
  /** Every deployment created, with its environment and the states set on it, in order. */
  deployments: { id: number; environment: string; transient: boolean; states: string[] }[]
  /** Who the token is: a personal access token's user (GET /user answers it, comments are written as it), or null for
   * the job's GITHUB_TOKEN (GET /user is refused with 403, comments are written as github-actions[bot]). */
  tokenUser: { login: string; type: string } | null
  /** The pull requests `GET /pulls?state=open` lists (numbers), set by the test. */
  openPulls: number[]
  /** The releases the API holds, as GitHub would list them (a created one is added, an updated one changed). */
  releases: FakeRelease[]
  /** Answers a request differently when `reply` returns something; otherwise GitHub's success shapes apply. */
  override(reply: (request: RecordedRequest) => Reply | undefined): void
  close(): Promise<void>
}

const DEPLOYMENTS = /^\/repos\/([^/]+)\/([^/]+)\/deployments$/
const STATUSES = /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/
const RELEASES = /^\/repos\/([^/]+)\/([^/]+)\/releases$/
const RELEASE_BY_TAG = /^\/repos\/([^/]+)\/([^/]+)\/releases\/tags\/([^/]+)$/
const RELEASE_BY_ID = /^\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)$/

export function githubError(status: number, message: string): Reply {
  return { status, body: { message, documentation_url: 'https://docs.github.com/rest', status: String(status) } }
}

export async function startFakeGitHubApi(): Promise<FakeGitHubApi> {
  const requests: RecordedRequest[] = []
  const releases: FakeRelease[] = []
  const comments: FakeComment[] = []
  const deployments: FakeGitHubApi['deployments'] = []
  const openPulls: number[] = []
  let override: (request: RecordedRequest) => Reply | undefined = () => undefined
  let nextId = 1001
  let url = ''

  function githubAnswer(request: RecordedRequest): Reply {
    const now = new Date().toISOString()
    const fields = (request.body ?? {}) as Record<string, unknown>
    const stored = storedAnswer(request, fields)
    if (stored) return stored
    const deploymentsPath = DEPLOYMENTS.exec(request.path)
    if (request.method === 'POST' && deploymentsPath) {
      const id = nextId++
      deployments.push({
        id,
        environment: String(fields.environment ?? 'production'),
        transient: fields.transient_environment === true,
        states: [],
      })
      const deploymentUrl = `${url}${request.path}/${id}`
      return {
        status: 201,
        body: {
          url: deploymentUrl,
          id,
          node_id: `DE_${id}`,
          sha: fields.ref,
          ref: fields.ref,
          task: fields.task ?? 'deploy',
          payload: fields.payload ?? {},
          environment: fields.environment ?? 'production',
          description: fields.description ?? null,
          creator: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
          created_at: now,
          updated_at: now,
          statuses_url: `${deploymentUrl}/statuses`,
          repository_url: `${url}/repos/${deploymentsPath[1]}/${deploymentsPath[2]}`,
          transient_environment: fields.transient_environment ?? false,
          production_environment: fields.production_environment ?? false,
        },
      }
    }
    const statuses = STATUSES.exec(request.path)
    if (request.method === 'POST' && statuses) {
      const id = nextId++
      deployments.find((d) => d.id === Number(statuses[3]))?.states.push(String(fields.state))
      const deploymentUrl = `${url}/repos/${statuses[1]}/${statuses[2]}/deployments/${statuses[3]}`
      return {
        status: 201,
        body: {
          url: `${deploymentUrl}/statuses/${id}`,
          id,
          node_id: `DES_${id}`,
          state: fields.state,
          creator: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
          description: fields.description ?? '',
          environment: 'modal',
          target_url: fields.log_url ?? '',
          log_url: fields.log_url ?? '',
          environment_url: fields.environment_url ?? '',
          created_at: now,
          updated_at: now,
          deployment_url: deploymentUrl,
          repository_url: `${url}/repos/${statuses[1]}/${statuses[2]}`,
        },
      }
    }
    return releaseAnswer(request, fields) ?? githubError(404, 'Not Found')
  }

  /** Comments, the deployments of an environment and the open pull requests, from what the API holds. */
  function storedAnswer(request: RecordedRequest, fields: Record<string, unknown>): Reply | undefined {
    const where = new URL(request.path, 'http://api')
    const issueComments = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(where.pathname)
    if (issueComments && request.method === 'GET') {
      const perPage = Number(where.searchParams.get('per_page') ?? 30)
      const page = Number(where.searchParams.get('page') ?? 1)
      const all = comments.filter((c) => c.issue === Number(issueComments[1]))
      return { status: 200, body: all.slice((page - 1) * perPage, page * perPage) }
    }
    if (issueComments && request.method === 'POST') {
      const comment = {
        id: nextId++,
        issue: Number(issueComments[1]),
        body: String(fields.body),
        user: api.tokenUser ?? { login: 'github-actions[bot]', type: 'Bot' },
      }
      comments.push(comment)
      return { status: 201, body: comment }
    }
    const oneComment = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(where.pathname)
    if (oneComment && request.method === 'PATCH') {
      const comment = comments.find((c) => c.id === Number(oneComment[1]))
      if (!comment) return githubError(404, 'Not Found')
      comment.body = String(fields.body)
      return { status: 200, body: comment }
    }
    if (where.pathname === '/user' && request.method === 'GET') {
      if (api.tokenUser === null) return githubError(403, 'Resource not accessible by integration')
      return { status: 200, body: { id: 583231, ...api.tokenUser } }
    }
    if (DEPLOYMENTS.test(where.pathname) && request.method === 'GET') {
      const environment = where.searchParams.get('environment')
      const listed = deployments.filter((d) => environment === null || d.environment === environment).reverse()
      return { status: 200, body: listed.map((d) => ({ id: d.id, environment: d.environment, transient_environment: d.transient })) }
    }
    if (/^\/repos\/[^/]+\/[^/]+\/pulls$/.test(where.pathname) && request.method === 'GET') {
      const perPage = Number(where.searchParams.get('per_page') ?? 30)
      const page = Number(where.searchParams.get('page') ?? 1)
      const state = where.searchParams.get('state') ?? 'open'
      const listed = state === 'open' ? openPulls : []
      return { status: 200, body: listed.slice((page - 1) * perPage, page * perPage).map((number) => ({ number, state: 'open' })) }
    }
    return undefined
  }

  /** The Releases endpoints the release script calls: create, get by tag, update. */
  function releaseAnswer(request: RecordedRequest, fields: Record<string, unknown>): Reply | undefined {
    const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback)
    const list = RELEASES.exec(request.path)
    if (request.method === 'POST' && list) {
      const tag = text(fields.tag_name, '')
      if (releases.some((r) => r.tag_name === tag)) {
        return {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
            documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
            status: '422',
          },
        }
      }
      const id = nextId++
      const created: FakeRelease = {
        id,
        tag_name: tag,
        name: text(fields.name, tag),
        body: text(fields.body, ''),
        prerelease: fields.prerelease === true,
        html_url: `https://github.com/${list[1]}/${list[2]}/releases/tag/${tag}`,
      }
      releases.push(created)
      return { status: 201, body: created }
    }
    const byTag = RELEASE_BY_TAG.exec(request.path)
    if (request.method === 'GET' && byTag) {
      const found = releases.find((r) => r.tag_name === decodeURIComponent(byTag[3]))
      return found ? { status: 200, body: found } : githubError(404, 'Not Found')
    }
    const byId = RELEASE_BY_ID.exec(request.path)
    if (request.method === 'PATCH' && byId) {
      const found = releases.find((r) => r.id === Number(byId[3]))
      if (!found) return githubError(404, 'Not Found')
      Object.assign(found, {
        name: text(fields.name, found.name),
        body: text(fields.body, found.body),
        prerelease: typeof fields.prerelease === 'boolean' ? fields.prerelease : found.prerelease,
      })
      return { status: 200, body: found }
    }
    return undefined
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const request = {
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      headers: incoming.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    }
    requests.push(request)
    const reply = override(request) ?? githubAnswer(request)
    if (reply === 'no answer') return
    response.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers })
    response.end(JSON.stringify(reply.body))
  }

  const server = createServer((incoming, response) => void handle(incoming, response))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const api: FakeGitHubApi = {
    url,
    requests,
    releases,
    comments,
    deployments,
    tokenUser: null,
    openPulls,
    override: (reply) => {
      override = reply
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging and keep-alive connections would otherwise hold the server open.
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return api
}
