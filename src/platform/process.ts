// Runs an external command with an argument array (never a shell), a timeout that ends its whole process group,
// and bounded output capture. Every running child is known, so a cancelled job can end them all.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import type { Readable } from 'node:stream'

export interface ProcessResult {
  exitCode: number | null
  stdout: string
  stderr: string
  timedOut: boolean
  /** Ended (or never started) because the job was cancelled. */
  cancelled: boolean
  durationMs: number
}

export interface ProcessOptions {
  cwd?: string
  env: NodeJS.ProcessEnv
  input?: string
  timeoutMs: number
}

const MAX_CAPTURE = 4 * 1024 * 1024

/** Running children by pid, each with how long it may take to stop by itself when the job is cancelled (0: none). */
const running = new Map<number, () => number>()
/** Children already asked to stop, so that the runner's second signal does not ask again. */
const asked = new Set<number>()
let cancelled = false

/**
 * Ends every running child's process group; later spawns are refused. For SIGINT/SIGTERM from the runner. A child
 * with a grace period (the Modal session while a call is in flight: it cancels the call on Modal) gets SIGTERM
 * first, and its group is killed if it has not exited when the grace period is over. Returns how many it ended.
 */
export function cancelRunningProcesses(): number {
  cancelled = true
  for (const [pid, graceMs] of running) {
    const grace = asked.has(pid) ? 0 : graceMs()
    if (grace <= 0) {
      killGroup(pid)
      continue
    }
    asked.add(pid)
    try {
      process.kill(pid, 'SIGTERM')
    } catch {
      // It exited between the decision and the signal.
    }
    // Unref'd: the child's own handle keeps this process alive while it runs.
    setTimeout(() => {
      if (running.has(pid)) killGroup(pid)
    }, grace).unref()
  }
  return running.size
}

/**
 * The runner cancels a job with SIGINT, then SIGTERM, and a person at a terminal presses Ctrl-C: end the Modal session
 * (and anything else running), so the run still reports what happened instead of dying with a deploy going on behind
 * it. Used by the action and by the CLI.
 */
export function cancelOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, cancelRunningProcesses)
}

export function isCancelled(): boolean {
  return cancelled
}

/**
 * Makes a child (the leader of its own process group) known to the cancel, until it exits (see onExited). `graceMs`
 * says, when the cancel comes, how long it may take to stop after a SIGTERM (0: killed at once). Tracking a child
 * again only changes its grace period.
 */
export function trackProcess(child: ChildProcess, graceMs: () => number = () => 0): void {
  const pid = child.pid
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const known = running.has(pid)
  running.set(pid, graceMs)
  if (!known) child.on('exit', () => running.delete(pid))
  if (cancelled && !known) killGroup(pid)
}

/** Spawns a child that leads its own process group (so a kill ends its children too), known to the cancel. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  // detached: the child leads its own process group, so a timeout can end its children too.
  const child = spawn(command, args, { ...options, detached: true })
  trackProcess(child)
  return child
}

export function runProcess(command: string, args: string[], options: ProcessOptions): Promise<ProcessResult> {
  const started = Date.now()
  if (cancelled) return Promise.resolve({ exitCode: null, stdout: '', stderr: '', timedOut: false, cancelled: true, durationMs: 0 })
  return new Promise((resolve, reject) => {
    const child = spawnTracked(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    // What matters (the result, the error panel, the local adapter's answer) comes last: keep the end.
    const captured = { stdout: tailKeeper(MAX_CAPTURE), stderr: tailKeeper(MAX_CAPTURE) }
    let timedOut = false
    // One decoder per stream: a character split between two reads is not broken in two.
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => captured.stdout.add(chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => captured.stderr.add(chunk))
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child.pid)
    }, options.timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    onExited(child, (code) => {
      clearTimeout(timer)
      resolve({
        exitCode: code,
        stdout: captured.stdout.text(),
        stderr: captured.stderr.text(),
        timedOut,
        cancelled,
        durationMs: Date.now() - started,
      })
    })
    if (options.input !== undefined) {
      // A child that exits without reading its input must not crash the action with EPIPE.
      child.stdin!.on('error', () => {})
      child.stdin!.end(options.input)
    }
  })
}

/**
 * How long a child's pipes are still read after it exited: enough for what it printed last, not for a process it
 * left behind that holds them.
 */
export const DRAIN_MS = 1000

/**
 * Calls `done` once a child (the leader of its own process group) has exited and its pipes are read. At its exit,
 * whatever it left in its group is ended; the pipes are read until they close, at most `drainMs`, then destroyed: a
 * process that left the group (setsid) and still holds them can no longer keep this process alive.
 */
export function onExited(
  child: ChildProcess,
  done: (code: number | null, signal: NodeJS.Signals | null) => void,
  drainMs = DRAIN_MS,
): void {
  child.once('exit', (code, signal) => {
    killGroup(child.pid)
    const release = () => {
      clearTimeout(timer)
      child.off('close', release)
      for (const stream of child.stdio) stream?.destroy()
      done(code, signal)
    }
    const timer = setTimeout(release, drainMs)
    child.once('close', release)
  })
}

export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // The group already exited between the decision and the kill.
  }
}

/** Keeps the last `limit` characters of a stream, in time proportional to what it is given. */
function tailKeeper(limit: number) {
  let chunks: string[] = []
  let size = 0
  return {
    add(text: string) {
      chunks.push(text)
      size += text.length
      if (size > 2 * limit) {
        chunks = [chunks.join('').slice(-limit)]
        size = chunks[0].length
      }
    },
    text: () => chunks.join('').slice(-limit),
  }
}

/**
 * Calls `onLine` for each complete line of a stream, then `onEnd`. A line longer than `maxLine` is dropped whole
 * (`onOverlong` is told once per such line). Time is proportional to the stream's size, whatever its lines.
 */
export function readLines(
  stream: Readable,
  maxLine: number,
  handlers: { onLine: (line: string) => void; onOverlong: () => void; onEnd: () => void },
): void {
  let pending: string[] = []
  let pendingSize = 0
  let skipping = false
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    let start = 0
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, newline)
      if (!skipping && pendingSize + piece.length <= maxLine) handlers.onLine(pending.join('') + piece)
      else if (!skipping) handlers.onOverlong()
      pending = []
      pendingSize = 0
      skipping = false
      start = newline + 1
    }
    if (skipping || start === chunk.length) return
    pending.push(chunk.slice(start))
    pendingSize += chunk.length - start
    if (pendingSize > maxLine) {
      handlers.onOverlong()
      pending = []
      pendingSize = 0
      skipping = true
    }
  })
  stream.on('end', () => {
    if (!skipping && pendingSize > 0) handlers.onLine(pending.join(''))
    handlers.onEnd()
  })
}
