// Runs an external command with an argument array (never a shell), a timeout that ends its whole process group,
// and bounded output capture. Every running child is known, so a cancelled job can end them all.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'

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
  /** Called with each complete stdout/stderr line as it arrives (for live logs). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void
}

const MAX_CAPTURE = 4 * 1024 * 1024

const running = new Set<number>()
let cancelled = false

/** Ends every running child's process group; later spawns are refused. For SIGINT/SIGTERM from the runner. */
export function cancelRunningProcesses(): void {
  cancelled = true
  for (const pid of running) killGroup(pid)
}

export function isCancelled(): boolean {
  return cancelled
}

/** Makes a child (the leader of its own process group) known to the cancel, until it closes. */
export function trackProcess(child: ChildProcess): void {
  const pid = child.pid
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  running.add(pid)
  child.on('close', () => running.delete(pid))
  if (cancelled) killGroup(pid)
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
    const captured = { stdout: '', stderr: '' }
    const partial = { stdout: '', stderr: '' }
    let timedOut = false
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      // What matters (the result, the error panel, the helper's answer) comes last: keep the end.
      captured[stream] = (captured[stream] + text).slice(-MAX_CAPTURE)
      if (!options.onLine) return
      const lines = (partial[stream] + text).split('\n')
      partial[stream] = lines.pop() ?? ''
      for (const line of lines) options.onLine(line, stream)
    }
    child.stdout!.on('data', collect('stdout'))
    child.stderr!.on('data', collect('stderr'))
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child.pid)
    }, options.timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      for (const stream of ['stdout', 'stderr'] as const) {
        if (options.onLine && partial[stream] !== '') options.onLine(partial[stream], stream)
      }
      resolve({ exitCode: code, ...captured, timedOut, cancelled, durationMs: Date.now() - started })
    })
    if (options.input !== undefined) {
      // A child that exits without reading its input must not crash the action with EPIPE.
      child.stdin!.on('error', () => {})
      child.stdin!.end(options.input)
    }
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
