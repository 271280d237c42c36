// A scripted, in-memory Modal session for the in-process tests of the flow and the CLI: a small Modal world
// (environments, secrets with keys, apps with versions) that answers the session's requests the way
// modal-session/session.py reports the real client's facts. `on` replaces the answer of one request to script a fault.
import { requestLabel, SessionFailure, type FunctionCallFacts, type Operation, type Outcome, type Raised } from '../../src/modal/session.js'
import type { Session } from '../../src/modal/session-keeper.js'

export interface Version {
  version: number
  tag: string | null
  /** What was deployed: the module's environment minus nothing; equal definitions make a no-op deploy. */
  definition: string
}

type Request = { op: Operation; label: string; args: Record<string, unknown> }
type Answer = Outcome<Operation> | undefined
type Handler = (request: Request) => Answer | Promise<Answer>
type LineSink = ((line: string, stream: 'stdout' | 'stderr') => void) | undefined

export function raised(type: string, message: string, stage: string | null = null): Raised {
  const chain = type.startsWith('builtins.')
    ? [type, 'builtins.Exception']
    : [`modal.exception.${type}`, 'modal.exception.Error', 'builtins.Exception']
  return { type: type.split('.').pop()!, chain, message, stage }
}

const TOKEN_MISSING =
  'Token missing. Could not authenticate client. If you have token credentials, see modal.com/docs/sdk/py/latest/config for setup help.'

export const ok = <T>(value: T) => ({ ok: true as const, value })
export const fails = (error: Raised, functionCall?: FunctionCallFacts) =>
  functionCall === undefined ? { ok: false as const, raised: error } : { ok: false as const, raised: error, functionCall }

/** A call's answer as the session gives it: the result, with the id of the call it started. */
export const callAnswer = (modal: FakeModal, result: unknown) => ok({ function_call_id: modal.nextFunctionCallId(), result })

/** The n-th function-call id of a FakeModal. */
export function functionCallId(n: number): string {
  return `fc-${'F'.repeat(20)}${String(n).padStart(2, '0')}`
}
export const cli = (exitCode: number, stdout = '', stderr = '') => ok({ exit_code: exitCode, stdout, stderr })

/** An error panel as the CLI prints it on stderr. */
export function panel(message: string): string {
  return `╭─ Error ─────╮\n${message
    .split('\n')
    .map((line) => `│ ${line} │`)
    .join('\n')}\n╰─────────────╯\n`
}

/** An error panel as the session's client prints it: 1,000 columns wide (COLUMNS=1000), its text padded to the border. */
export function widePanel(message: string, width = 1000): string {
  const inner = width - 4
  return `╭─ Error ${'─'.repeat(width - 10)}╮\n${message
    .split('\n')
    .map((line) => `│ ${line.padEnd(inner)} │`)
    .join('\n')}\n╰${'─'.repeat(width - 2)}╯\n`
}

/** What a deployed `run` answers in mock mode, under the processor contract. */
export function contractAnswer(payload: unknown): unknown {
  const mode = (payload as { mode?: string }).mode ?? 'mock'
  return { ok: true, schema: 'v1', processor: 'llm/litellm@1', mode, output: { reply: 'mock reply' }, duration_ms: 3 }
}

export class FakeModal {
  clientVersion: string | null = '1.5.4'
  readonly environments = new Set(['main', 'dev'])
  /** `<env>/<name>` → the secret's key names. */
  readonly secrets = new Map<string, string[]>()
  readonly apps = new Map<string, { id: string; versions: Version[] }>()
  /** The apps `modal app stop` stopped (a deploy starts one again). */
  readonly stopped = new Set<string>()
  /** Every request, in order, with the session (1, 2, …) it was sent to. */
  readonly requests: (Request & { session: number })[] = []
  sessionsStarted = 0
  sessionsClosed = 0
  /** How many calls were started (each got a function-call id). */
  functionCalls = 0
  /** What `run` returns for a payload. */
  answerCall: (payload: unknown) => unknown = contractAnswer
  private readonly handlers: { label: string; times: number; handle: Handler }[] = []
  /** Starting a session fails with this, when set. */
  startFailure: SessionFailure | null = null
  /** The token of the session's environment: none, or one the server refuses, fails every request as the client does. */
  token: 'valid' | 'missing' | 'rejected' = 'valid'

  constructor() {
    for (const name of ['REGISTRY_AUTH', 'OPENAI_API_KEY']) {
      this.secrets.set(`dev/${name}`, name === 'REGISTRY_AUTH' ? ['REGISTRY_USERNAME', 'REGISTRY_PASSWORD'] : [name])
    }
  }

  /** Answers the next `times` requests named `label` (`secret`, `modal deploy`, …) with `handle` (undefined: as usual). */
  on(label: string, handle: Handler, times = Infinity): this {
    this.handlers.push({ label, times, handle })
    return this
  }

  /** A request that never answers: the session fails it as its deadline does (or as a cancel does). */
  hang(label: string, kind: 'timeout' | 'cancelled' = 'timeout', times = Infinity): this {
    return this.on(
      label,
      () => {
        throw new SessionFailure(
          kind,
          kind === 'timeout' ? `${label} did not answer` : 'the job was cancelled',
          'last line before the stop',
        )
      },
      times,
    )
  }

  deployed(app: string, ...tags: (string | null)[]): this {
    const versions = tags.map((tag, i) => ({ version: i + 1, tag, definition: `earlier ${i}` }))
    this.apps.set(app, { id: `ap-${'x'.repeat(20)}${this.apps.size}0`, versions })
    return this
  }

  versions(app = 'llm-litellm-v1'): number[] {
    return (this.apps.get(app)?.versions ?? []).map((v) => v.version)
  }

  labels(): string[] {
    return this.requests.map((r) => r.label)
  }

  connect = async (): Promise<Session> => {
    if (this.startFailure) throw this.startFailure
    const session = ++this.sessionsStarted
    let closed = false
    return {
      clientVersion: this.clientVersion,
      request: async <Op extends Operation>(op: Op, args: Record<string, unknown>, how: { onLine?: LineSink }) => {
        if (closed) throw new Error('request on a closed session')
        const request = { op, label: requestLabel(op, args), args }
        this.requests.push({ ...request, session })
        return (await this.answer(request, how.onLine)) as Outcome<Op>
      },
      close: async () => {
        closed = true
        this.sessionsClosed++
      },
    }
  }

  /** A function-call id shaped like Modal's (`fc-` and 22 characters), one per call, in order. */
  nextFunctionCallId(): string {
    this.functionCalls++
    return functionCallId(this.functionCalls)
  }

  private async answer(request: Request, onLine: LineSink): Promise<Outcome<Operation>> {
    const handler = this.handlers.find((h) => h.label === request.label && h.times > 0)
    if (handler) {
      handler.times--
      const answer = await handler.handle(request)
      if (answer !== undefined) return answer
    }
    return this.world(request, onLine)
  }

  private world({ op, args }: Request, onLine: LineSink): Outcome<Operation> {
    if (this.token !== 'valid') {
      const text = this.token === 'missing' ? TOKEN_MISSING : 'Token ID is malformed'
      return op === 'cli' ? cli(1, '', widePanel(text)) : fails(raised('AuthError', text, op === 'call' ? 'lookup' : null))
    }
    const environment = String(args.environment ?? 'dev')
    const envMissing = () => fails(raised('InvalidError', `Environment '${environment}' not found`))
    switch (op) {
      case 'authenticate':
        return ok(null)
      case 'environment':
        return this.environments.has(String(args.name))
          ? ok(null)
          : fails(raised('InvalidError', `Environment '${String(args.name)}' not found`))
      case 'secret': {
        if (!this.environments.has(environment)) return envMissing()
        const keys = this.secrets.get(`${environment}/${String(args.name)}`)
        if (!keys) return fails(raised('NotFoundError', `Secret '${String(args.name)}' not found in environment '${environment}'.`))
        const missing = (args.required_keys as string[]).filter((key) => !keys.includes(key))
        return missing.length ? fails(raised('ConflictError', `Secret is missing key(s): ${missing.join(', ')}`)) : ok(null)
      }
      case 'app': {
        if (!this.environments.has(environment)) return envMissing()
        const app = this.apps.get(String(args.name))
        return app
          ? ok({ app_id: app.id })
          : fails(raised('NotFoundError', `App '${String(args.name)}' not found in environment '${environment}'`))
      }
      case 'call': {
        if (!this.environments.has(environment)) return fails(raised('InvalidError', `Environment '${environment}' not found`, 'lookup'))
        const app = this.apps.get(String(args.app))
        const version = args.version as number | null
        if (!app || (version !== null && !app.versions.some((v) => v.version === version))) {
          return fails(raised('NotFoundError', `Lookup failed for Function 'run' from the '${String(args.app)}' app: not found.`, 'lookup'))
        }
        return ok({ function_call_id: this.nextFunctionCallId(), result: this.answerCall(args.payload) })
      }
      case 'cli':
        return this.command(args.args as string[], (args.env ?? {}) as Record<string, string>, onLine)
    }
  }

  private command(argv: string[], env: Record<string, string>, onLine: LineSink): Outcome<'cli'> {
    const flag = (name: string) => argv[argv.indexOf(name) + 1]
    const [command, sub, name] = argv
    if (!this.environments.has(flag('--env'))) return cli(1, '', widePanel(`Environment '${flag('--env')}' not found`))
    if (command === 'deploy') {
      const appName = env.MODAL_APP_NAME
      const app = this.apps.get(appName) ?? { id: `ap-${'y'.repeat(20)}${this.apps.size}0`, versions: [] }
      this.apps.set(appName, app)
      const definition = JSON.stringify({ ...env })
      const live = app.versions.at(-1)
      const skipped = live?.definition === definition
      if (!skipped) app.versions.push({ version: app.versions.length + 1, tag: flag('--tag'), definition })
      this.stopped.delete(appName)
      const stdout = [
        '✓ Created objects.',
        '└── 🔨 Created function run.',
        skipped ? '✓ Deployment skipped: no changes detected! ⏭️' : '✓ App deployed in 0.100s! 🎉',
        '',
        `View Deployment: https://modal.com/apps/acme/${flag('--env')}/deployed/${appName}`,
      ]
      for (const line of stdout) onLine?.(line, 'stdout')
      return cli(0, `${stdout.join('\n')}\n`)
    }
    if (command === 'app' && sub === 'list') {
      const rows = [...this.apps].map(([appName, a]) => ({
        app_id: a.id,
        description: appName,
        state: this.stopped.has(appName) ? 'stopped' : 'deployed',
        tasks: '0',
        created_at: '2026-12-01T00:00:00+00:00',
        stopped_at: this.stopped.has(appName) ? '2026-12-02T00:00:00+00:00' : null,
      }))
      return cli(0, `${JSON.stringify(rows, null, 2)}\n`)
    }
    const app = this.apps.get(name)
    if (command !== 'app' || !app) return cli(1, '', widePanel(`No App with name '${name}' found in the '${flag('--env')}' environment.`))
    if (sub === 'history') {
      const rows = [...app.versions]
        .reverse()
        .map((v) => ({ version: `v${v.version}`, time_deployed: null, client: '1.5.4', deployed_by: 'ci', tag: v.tag }))
      return cli(0, `${JSON.stringify(rows, null, 2)}\n`)
    }
    if (sub === 'stop') {
      if (this.stopped.has(name)) return cli(1, '', "App is already stopped. (Stopped at 2026-12-02 00:00 UTC by 'ci').\n")
      this.stopped.add(name)
      return cli(0)
    }
    if (sub === 'rollback') {
      const target = app.versions.find((v) => `v${v.version}` === argv[3])!
      app.versions.push({ version: app.versions.length + 1, tag: null, definition: target.definition })
      return cli(0, '✓ Deployment rollback successful!\n\nView Deployment: https://modal.com/apps/acme/dev/deployed/x\n')
    }
    for (const line of ['processor started', 'processor answered']) onLine?.(line, 'stdout')
    return cli(0, 'processor started\nprocessor answered\n')
  }
}
