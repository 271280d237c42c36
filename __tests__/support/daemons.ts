// Daemons that tests start on purpose (a module or a processor leaving a process behind): where their pid is, whether
// they still run, and the kill that keeps any of them from outliving its test.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { scratchDir } from '../../testing/harness/scratch.mjs'

/** Longer than any test may run: a step that waited for such a daemon could not pass. */
export const DAEMON_LIFETIME_S = 120

const pidFiles: string[] = []

/** A fresh path for a daemon to write its pid to; the daemon is killed by `killDaemons`. */
export function newPidFile(): string {
  const file = path.join(scratchDir('daemon-'), 'pid')
  pidFiles.push(file)
  return file
}

/** A daemon's pid file holds its pid and its start time (see forkDaemonPython). */
export function daemonPid(pidFile: string): number {
  return Number(readFileSync(pidFile, 'utf8').split(' ')[0])
}

/** A process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or null when it is gone. */
function startTime(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ')[19]
  } catch {
    return null
  }
}

/** Alive and not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

/** A SIGKILL takes effect when the process is next scheduled: gone within a few seconds. */
export async function endsSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && isRunning(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  return !isRunning(pid)
}

/** For afterEach: no daemon of a test outlives it, whatever the test found. */
export function killDaemons(): void {
  for (const file of pidFiles.splice(0)) {
    if (!existsSync(file)) continue
    const [pid, started] = readFileSync(file, 'utf8').split(' ')
    // Only the daemon itself: once it is gone its pid may be another process's (of another test file, even).
    if (startTime(Number(pid)) !== started) continue
    try {
      process.kill(Number(pid), 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

/** Python that forks a daemon holding every file it inherited, and returns once the daemon has written its pid. */
export function forkDaemonPython(pidFile: string, { setsid = false } = {}): string {
  const tmp = JSON.stringify(`${pidFile}.tmp`)
  return [
    'import os as _os, time as _time',
    'if _os.fork() == 0:',
    ...(setsid ? ['    _os.setsid()'] : []),
    '    _started = open("/proc/self/stat").read().rsplit(") ", 1)[1].split()[19]',
    `    with open(${tmp}, "w") as _f: _f.write(f"{_os.getpid()} {_started}")`,
    `    _os.rename(${tmp}, ${JSON.stringify(pidFile)})`,
    '    _os.write(2, b"daemon: still here\\n")',
    `    _time.sleep(${DAEMON_LIFETIME_S})`,
    '    _os._exit(0)',
    `while not _os.path.exists(${JSON.stringify(pidFile)}): _time.sleep(0.01)`,
  ].join('\n')
}
