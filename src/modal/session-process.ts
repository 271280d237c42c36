// The Modal session's process (modal-session/session.py) and its four pipes, read line by line: requests out on fd 3,
// protocol lines in on fd 4, the client's and the module's output on stdout and stderr. Kept free of heavy imports,
// so the action's entry point can start it before the rest of the bundle loads.
import type { ChildProcess } from 'node:child_process'
import { realpathSync } from 'node:fs'
import path from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { findCompleteEnvironment } from './client-environment.js'
import { findOnPath, pythonForModal } from './install.js'
import { killGroup, onExited, readLines, spawnTracked } from '../platform/process.js'

export interface SessionProcessOptions {
  python: string
  script: string
  /** The folder of the `modal` console script: the session's first import path, as it is the CLI's. */
  modalBinDir: string
  env: NodeJS.ProcessEnv
}

/** What the process says, in the order it happens. */
export interface SessionListener {
  /** `receivedAt`: when it arrived (it may be handed over later, when the listener attaches). */
  protocolLine(value: unknown, receivedAt: number): void
  outputLine(line: string, stream: 'stdout' | 'stderr'): void
  /** It could not start (`spawn`), exited, closed the protocol pipe or wrote a line that is not JSON there (`died`). */
  broken(why: string, kind: 'spawn' | 'died'): void
}

// A smoke call's result travels in one protocol line; an output line that long is not for a log.
const MAX_PROTOCOL_LINE = 64 * 1024 * 1024
const MAX_OUTPUT_LINE = 1024 * 1024
const MAX_QUEUED = 1000

export class SessionProcess {
  readonly startedAt = Date.now()
  readonly child: ChildProcess
  private listener: SessionListener | null = null
  /** What happened before anyone listened (the handshake, a start failure). */
  private readonly queued: ((listener: SessionListener) => void)[] = []
  private isBroken = false
  /** Exited, and its group ended with it: nothing is left to kill (and its pid may be another process's soon). */
  private hasExited = false
  private readonly outputEnded: Promise<unknown>
  /** Resolves once the process has exited, its group is ended and its pipes are read or let go (process.ts). */
  private readonly ended: Promise<void>

  constructor(options: SessionProcessOptions) {
    this.child = spawnTracked(options.python, [options.script, options.modalBinDir], {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    })
    this.child.on('error', (error) => this.break(`could not start: ${error.message}`, 'spawn'))
    this.child.once('exit', () => (this.hasExited = true))
    this.ended = new Promise((resolve) =>
      // Not 'close': a process the module left behind may hold the pipes for as long as it likes.
      onExited(this.child, (code, signal) => {
        this.break(`exited (${signal ?? `code ${code}`})`, 'died')
        resolve()
      }),
    )
    if (this.child.pid === undefined) {
      this.outputEnded = Promise.resolve()
      return
    }
    ;(this.child.stdio[3] as Writable).on('error', () => {}) // a process that died mid-write: reported by its exit
    readLines(this.child.stdio[4] as Readable, MAX_PROTOCOL_LINE, {
      onLine: (line) => this.protocolLine(line),
      onOverlong: () => this.break(`wrote a protocol line longer than ${MAX_PROTOCOL_LINE / 1024 / 1024} MiB`, 'died'),
      // The process is about to exit (its exit says more), or it closed the pipe and lives on: then it is broken.
      onEnd: () => setTimeout(() => this.break('closed its protocol pipe', 'died'), 500).unref(),
    })
    const output = (stream: 'stdout' | 'stderr') =>
      new Promise<void>((onEnd) =>
        readLines(this.child[stream]!, MAX_OUTPUT_LINE, {
          onLine: (line) => this.emit((l) => l.outputLine(line, stream), { droppable: true }),
          onOverlong: () =>
            this.emit((l) => l.outputLine(`[a line of more than ${MAX_OUTPUT_LINE / 1024 / 1024} MiB was left out]`, stream), {
              droppable: true,
            }),
          onEnd,
        }),
      )
    this.outputEnded = Promise.all([output('stdout'), output('stderr')])
  }

  listen(listener: SessionListener): void {
    this.listener = listener
    for (const event of this.queued.splice(0)) event(listener)
  }

  send(message: object): void {
    ;(this.child.stdio[3] as Writable).write(`${JSON.stringify(message)}\n`)
  }

  kill(): void {
    if (!this.hasExited) killGroup(this.child.pid)
  }

  /**
   * Resolves once stdout and stderr have ended (the process is gone), or after `graceMs`: what it printed last
   * arrives on other pipes than the protocol line, and may still be on its way when a failure is noticed.
   */
  async outputDrained(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.outputEnded, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))])
    clearTimeout(timer)
  }

  /**
   * Closes the request pipe, so the process exits by itself; kills it if it has not within `graceMs`. Either way its
   * process group goes with it: whatever the module or the client started and left running.
   */
  async close(graceMs: number): Promise<void> {
    ;(this.child.stdio[3] as Writable | null)?.end()
    if (this.isBroken) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))])
    clearTimeout(timer)
    this.kill()
  }

  private protocolLine(text: string): void {
    const receivedAt = Date.now()
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      this.break(`wrote something that is not a protocol line on the protocol pipe: ${JSON.stringify(text.slice(0, 200))}`, 'died')
      return
    }
    this.emit((l) => l.protocolLine(value, receivedAt))
  }

  private break(why: string, kind: 'spawn' | 'died'): void {
    if (this.isBroken) return
    this.isBroken = true
    this.kill()
    this.emit((l) => l.broken(why, kind))
  }

  /** Output lines beyond MAX_QUEUED before anyone listens are dropped; the handshake and a failure never are. */
  private emit(event: (listener: SessionListener) => void, { droppable = false } = {}): void {
    if (this.listener) event(this.listener)
    else if (!droppable || this.queued.length < MAX_QUEUED) this.queued.push(event)
  }
}

/**
 * Starts the session as early as possible (the action's entry point does, before the rest of the bundle loads),
 * when the Modal client is on PATH or the action's own environment for modal-version is complete; null otherwise (the
 * preflight then finds or installs it). The flow, a separate bundle, makes it known to its own cancel handling
 * (trackProcess).
 */
export function prestartSession(env: NodeJS.ProcessEnv, actionRoot: string): SessionProcess | null {
  const modalPath = findOnPath('modal', env)
  if (modalPath !== null) return new SessionProcess(sessionOptions({ modalPath, python: pythonForModal(modalPath) }, env, actionRoot))
  // No modal on PATH: the action's own client environment, when a complete one is already there for modal-version.
  const python = findOnPath('python3', env) ?? findOnPath('python', env)
  const modalVersion = (env['INPUT_MODAL-VERSION'] ?? '').trim()
  const ready = python === null || modalVersion === '' ? null : findCompleteEnvironment(python, env, modalVersion)
  return ready === null ? null : new SessionProcess(sessionOptions(ready, env, actionRoot))
}

// No colours, no wrapping (Rich wraps at 80 columns without a TTY: docs/modal-client.md#output-without-a-terminal),
// no interactive prompts.
const QUIET_CLIENT_ENV = { COLUMNS: '1000', NO_COLOR: '1', TERM: 'dumb', PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' }

export function sessionOptions(
  installation: { modalPath: string; python: string },
  env: NodeJS.ProcessEnv,
  actionRoot: string,
): SessionProcessOptions {
  // The step's inputs (INPUT_*, the GitHub token among them) are the action's business, not the client's.
  const sessionEnv = { ...Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('INPUT_'))), ...QUIET_CLIENT_ENV }
  return {
    python: installation.python,
    script: path.join(actionRoot, 'modal-session', 'session.py'),
    modalBinDir: path.dirname(realpathSync(installation.modalPath)),
    env: sessionEnv,
  }
}
