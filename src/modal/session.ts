// The Modal session: one Python process per step (modal-session/session.py, started by session-process.ts) that loads the
// Modal client once and answers requests, one at a time. This file is the protocol: the handshake, one schema per
// answer, a deadline per request, and what happens when the process misbehaves. What an answer means is decided by
// the caller (client.ts).
import * as z from 'zod'
import { isCancelled, trackProcess } from '../platform/process.js'
import type { SessionListener, SessionProcess } from './session-process.js'

export const SESSION_PROTOCOL = 1

/** What the client raised: its type, every class it is an instance of (`module.Class`), its text, and at which
 * stage of the operation (`lookup` or `call` for a function call). */
const raisedSchema = z.object({ type: z.string(), chain: z.array(z.string()), message: z.string(), stage: z.string().nullable() })
export type Raised = z.infer<typeof raisedSchema>

const handshakeSchema = z.object({
  protocol: z.number(),
  python: z.string(),
  client_version: z.string().nullable(),
  import_error: raisedSchema.nullable(),
})

/** A function call's id as Modal writes it. It is passed on as an argument (`modal app logs --function-call`) and
 * shown in the summary, so anything else is refused as outside the protocol. */
const functionCallIdSchema = z.string().regex(/^fc-[A-Za-z0-9]{1,64}$/)

const VALUE_SCHEMAS = {
  authenticate: z.null(),
  environment: z.null(),
  secret: z.null(),
  app: z.object({ app_id: z.string() }),
  call: z.object({ function_call_id: functionCallIdSchema, result: z.unknown() }),
  cli: z.object({ exit_code: z.number().int(), stdout: z.string(), stderr: z.string() }),
}
export type Operation = keyof typeof VALUE_SCHEMAS

/** What became of a call that did not end well: its id, whether the wait for it timed out, whether it was cancelled on
 * Modal (with its containers) or what the cancel raised, and the stop (a signal, the request pipe closing) if any. */
const functionCallSchema = z.object({
  function_call_id: functionCallIdSchema,
  timed_out: z.boolean(),
  cancelled: z.boolean(),
  cancel_raised: raisedSchema.nullable(),
  stopped_by: z.string().nullable(),
})
export type FunctionCallFacts = z.infer<typeof functionCallSchema>

const answerSchema = z.union([
  z.object({ id: z.number(), ok: z.literal(true), value: z.unknown() }),
  z.object({ id: z.number(), ok: z.literal(false), raised: raisedSchema, function_call: functionCallSchema.optional() }),
  z.object({ id: z.number().nullable(), bad_request: z.string() }),
])

/** A request's answer: the value the client returned, or what it raised. */
export type Outcome<Op extends Operation> =
  { ok: true; value: z.infer<(typeof VALUE_SCHEMAS)[Op]> } | { ok: false; raised: Raised; functionCall?: FunctionCallFacts }

export type SessionFailureKind =
  /** The interpreter could not be started. */
  | 'spawn'
  /** The interpreter runs but cannot import the Modal client. */
  | 'client-missing'
  | 'timeout'
  | 'cancelled'
  /** The process exited, closed the protocol pipe or wrote something that is not a protocol line. */
  | 'died'
  /** A protocol line that fails its schema (the session is ended). */
  | 'invalid'
  /** A request the session called malformed (a bug here; the session goes on). */
  | 'refused'

/** The session could not answer. It has been ended (except for a `refused` request); a new one may be started. */
export class SessionFailure extends Error {
  constructor(
    readonly kind: SessionFailureKind,
    message: string,
    readonly stderrTail: string,
  ) {
    super(message)
    this.name = 'SessionFailure'
  }
}

/** How a request is named in messages and timings: `environment`, `modal deploy`, `modal app history`. */
export function requestLabel(op: Operation, args: Record<string, unknown>): string {
  if (op !== 'cli') return op
  const argv = args.args as string[]
  return ['modal', ...argv.slice(0, ['app', 'secret', 'environment', 'token'].includes(argv[0]) ? 2 : 1)].join(' ')
}

interface Waiting {
  what: string
  answered: (line: unknown, receivedAt: number) => void
  outputEnded: (stream: 'stdout' | 'stderr', id: string) => void
  reject: (failure: SessionFailure) => void
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void
}

const TAIL_LINES = 30
/** Ends a request's output on stdout and stderr (modal-session/session.py writes it, with the request's id). */
const OUTPUT_END = '\x1e'
const START = 'the start'
const OUTPUT_GRACE_MS = 500
/** How long a cancelled job gives a session with a call in flight to cancel it on Modal (SIGTERM), before its process
 * group is killed: well inside the runner's own grace (it kills the step about 10 s after its SIGINT). */
export const CANCEL_GRACE_MS = 4000

export class ModalSession implements SessionListener {
  private nextId = 1
  private waiting: Waiting | null = null
  private ended: string | null = null
  private readonly recentOutput: string[] = []
  pythonVersion = ''
  clientVersion: string | null = null

  /** `onTiming` is told how long the start and each request took (the benchmark subtracts it from the step's time). */
  private constructor(
    private readonly process: SessionProcess,
    private readonly onTiming: (what: string, ms: number) => void,
  ) {}

  /** Waits for the handshake of a started session process, at most `timeoutMs`. */
  static async connect(process: SessionProcess, timeoutMs: number, onTiming: (what: string, ms: number) => void): Promise<ModalSession> {
    const session = new ModalSession(process, onTiming)
    // A cancelled job asks the session to stop while a call is in flight (it cancels the call), else kills it at once.
    trackProcess(process.child, () => (session.waiting?.what === 'call' ? CANCEL_GRACE_MS : 0))
    const handshake = session.nextLine(START, timeoutMs)
    process.listen(session)
    // Timed to its arrival: the client may have loaded while this process was still loading the action.
    const { line, receivedAt } = await handshake.catch((failure: unknown) => {
      onTiming('session start', Date.now() - process.startedAt)
      throw failure
    })
    onTiming('session start', receivedAt - process.startedAt)
    const parsed = handshakeSchema.safeParse(line)
    if (!parsed.success || parsed.data.protocol !== SESSION_PROTOCOL) {
      const said = parsed.success ? `protocol ${parsed.data.protocol}` : 'no valid handshake'
      session.end('invalid', `answered with ${said}; this action speaks protocol ${SESSION_PROTOCOL}`)
      throw new SessionFailure(
        'invalid',
        `the Modal session answered with ${said}; this action speaks protocol ${SESSION_PROTOCOL}`,
        session.tail(),
      )
    }
    if (parsed.data.import_error) {
      const error = parsed.data.import_error
      throw new SessionFailure('client-missing', `the Modal client could not be imported (${error.type}: ${error.message})`, session.tail())
    }
    session.pythonVersion = parsed.data.python
    session.clientVersion = parsed.data.client_version
    return session
  }

  /** One request; resolves with what the client returned or raised, or rejects with a SessionFailure. */
  async request<Op extends Operation>(
    op: Op,
    args: Record<string, unknown>,
    how: { timeoutMs: number; onLine?: (line: string, stream: 'stdout' | 'stderr') => void },
  ): Promise<Outcome<Op>> {
    const what = requestLabel(op, args)
    if (this.ended !== null) throw new SessionFailure('died', `the Modal session had already ended (${this.ended})`, this.tail())
    const id = this.nextId++
    const started = Date.now()
    // A failure shows what the session printed during its own request, not an earlier phase's output.
    this.recentOutput.length = 0
    const answer = this.nextLine(what, how.timeoutMs, how.onLine)
    this.process.send({ id, op, ...args })
    const { line } = await answer.finally(() => this.onTiming(what, Date.now() - started))
    return this.readAnswer(op, id, what, line)
  }

  /** Ends the session at the end of the step: the process exits by itself, or is killed after `graceMs`. */
  async close(graceMs = 2000): Promise<void> {
    if (this.ended !== null) return
    this.ended = 'closed'
    const started = Date.now()
    await this.process.close(graceMs)
    this.onTiming('session end', Date.now() - started)
  }

  /** The session is over: its process group is killed and the request in flight fails, with its last output. */
  end(kind: SessionFailureKind, why: string): void {
    this.ended ??= why
    this.process.kill()
    const waiting = this.waiting
    this.waiting = null
    if (waiting === null) return
    void this.process.outputDrained(OUTPUT_GRACE_MS).then(() => {
      const cancelled = isCancelled()
      waiting.reject(new SessionFailure(cancelled ? 'cancelled' : kind, cancelled ? 'the job was cancelled' : why, this.tail()))
    })
  }

  protocolLine(value: unknown, receivedAt: number): void {
    if (this.waiting) this.waiting.answered(value, receivedAt)
    else this.end('died', 'the Modal session wrote an answer that no request asked for')
  }

  outputLine(line: string, stream: 'stdout' | 'stderr'): void {
    if (line.startsWith(OUTPUT_END)) {
      this.waiting?.outputEnded(stream, line.slice(OUTPUT_END.length))
      return
    }
    this.waiting?.onLine?.(line, stream)
    this.recentOutput.push(line)
    if (this.recentOutput.length > TAIL_LINES) this.recentOutput.shift()
  }

  broken(why: string, kind: 'spawn' | 'died'): void {
    if (this.ended === 'closed') return
    this.end(kind, `the Modal session ${why}`)
  }

  tail(): string {
    return this.recentOutput.join('\n')
  }

  /**
   * The next protocol line, once the output printed before it has arrived too: stdout, stderr and the protocol pipe are
   * read apart, so the answer may overtake the last lines. Each stream ends a request's output with a marker; without
   * one (a module closed the stream), the answer waits OUTPUT_GRACE_MS at most.
   */
  private nextLine(what: string, timeoutMs: number, onLine?: Waiting['onLine']): Promise<{ line: unknown; receivedAt: number }> {
    if (this.waiting !== null) throw new Error(`a Modal session request (${this.waiting.what}) is still running`)
    const id = String(this.nextId - 1)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.end('timeout', `${what} did not answer within ${Math.round(timeoutMs / 1000)}s`), timeoutMs)
      const ended = new Set<string>()
      let answer: { line: unknown; receivedAt: number } | null = null
      let grace: NodeJS.Timeout | undefined
      const settle = () => {
        clearTimeout(timer)
        clearTimeout(grace)
        this.waiting = null
      }
      const finish = () => {
        if (answer === null) return
        settle()
        resolve(answer)
      }
      this.waiting = {
        what,
        onLine,
        // The handshake comes before any request: no output to wait for.
        answered: (line, receivedAt) => {
          answer = { line, receivedAt }
          if (what === START || ended.size === 2) finish()
          else grace = setTimeout(finish, OUTPUT_GRACE_MS)
        },
        outputEnded: (stream, markerId) => {
          if (markerId !== id) return
          ended.add(stream)
          if (ended.size === 2) finish()
        },
        reject: (failure) => {
          settle()
          reject(failure)
        },
      }
    })
  }

  private readAnswer<Op extends Operation>(op: Op, id: number, what: string, line: unknown): Outcome<Op> {
    const invalid = (why: string) => {
      const message = `the Modal session's answer to ${what} ${why}`
      this.end('invalid', message)
      return new SessionFailure('invalid', message, this.tail())
    }
    const answer = answerSchema.safeParse(line)
    if (!answer.success) throw invalid(`does not fit the protocol: ${z.prettifyError(answer.error).slice(0, 500)}`)
    if ('bad_request' in answer.data)
      throw new SessionFailure('refused', `the Modal session refused the request ${what}: ${answer.data.bad_request}`, '')
    if (answer.data.id !== id) throw invalid(`carries id ${answer.data.id}, not ${id}`)
    if (!answer.data.ok) {
      const { raised, function_call: functionCall } = answer.data
      return functionCall === undefined ? { ok: false, raised } : { ok: false, raised, functionCall }
    }
    const value = VALUE_SCHEMAS[op].safeParse(answer.data.value)
    if (!value.success) throw invalid(`has a value that does not fit ${op}: ${z.prettifyError(value.error).slice(0, 500)}`)
    return { ok: true, value: value.data as z.infer<(typeof VALUE_SCHEMAS)[Op]> }
  }
}
