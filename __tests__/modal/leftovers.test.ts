// What a session or a one-off command leaves running may not hold the step: real child processes that fork a daemon
// keeping every pipe they inherited (in the process group, or out of it with setsid).
import { copyFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { runProcess } from '../../src/platform/process.js'
import { ModalSession, SessionFailure } from '../../src/modal/session.js'
import { SessionProcess, sessionOptions } from '../../src/modal/session-process.js'
import { daemonPid, endsSoon, forkDaemonPython, isRunning, killDaemons, newPidFile } from '../support/daemons.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

// An action folder whose modal-session/session.py is the scripted fake.
const actionRoot = scratchDir('fake-action-')
mkdirSync(path.join(actionRoot, 'modal-session'))
copyFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'fake-session.py'), path.join(actionRoot, 'modal-session', 'session.py'))

afterEach(killDaemons)

/** A scripted session that forks a daemon at start, as a module may at import. */
function sessionWithDaemon(pidFile: string, setsid: boolean, answers: Record<string, unknown[]> = {}): SessionProcess {
  const env = { PATH: process.env.PATH, FAKE_SESSION: JSON.stringify({ daemon: { pid_file: pidFile, setsid }, answers }) }
  return new SessionProcess(sessionOptions({ modalPath: '/bin/sh', python: 'python3' }, env, actionRoot))
}

const pipesLetGo = (started: SessionProcess) => started.child.stdio.every((stream) => !stream || stream.destroyed)

describe('the Modal session', () => {
  test('closing it ends a daemon the module left in its process group', async () => {
    const pidFile = newPidFile()
    const started = sessionWithDaemon(pidFile, false)
    const session = await ModalSession.connect(started, 10000, () => {})
    await session.close()
    expect(await endsSoon(daemonPid(pidFile))).toBe(true)
  })

  test('a daemon that left the group (setsid) and holds the pipes: close returns and lets go of them', async () => {
    const pidFile = newPidFile()
    const started = sessionWithDaemon(pidFile, true)
    const session = await ModalSession.connect(started, 10000, () => {})
    await session.close()
    expect(pipesLetGo(started)).toBe(true)
    // Out of reach of the group: not ended, only no longer waited for.
    expect(isRunning(daemonPid(pidFile))).toBe(true)
  })

  test('a session that exits mid-request while a setsid daemon holds its pipes fails the request, not its deadline', async () => {
    const pidFile = newPidFile()
    const started = sessionWithDaemon(pidFile, true, { app: ['die'] })
    const session = await ModalSession.connect(started, 10000, () => {})
    const failure = await session.request('app', { name: 'a', environment: 'dev' }, { timeoutMs: 50000 }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(SessionFailure)
    expect(failure).toMatchObject({ kind: 'died', message: 'the Modal session exited (code 3)' })
    expect(pipesLetGo(started)).toBe(true)
  })

  test('a request past its deadline ends the daemon with the session', async () => {
    const pidFile = newPidFile()
    const started = sessionWithDaemon(pidFile, false, { call: ['hang'] })
    const session = await ModalSession.connect(started, 10000, () => {})
    const failure = await session.request('call', { app: 'a' }, { timeoutMs: 500 }).catch((error: unknown) => error)
    expect(failure).toMatchObject({ kind: 'timeout' })
    expect(await endsSoon(daemonPid(pidFile))).toBe(true)
  })
})

describe('runProcess', () => {
  const env = { PATH: process.env.PATH }

  test('resolves when the command exits, with its output, though a daemon it left (setsid) holds the pipes', async () => {
    const pidFile = newPidFile()
    const script = `print("before", flush=True)\n${forkDaemonPython(pidFile, { setsid: true })}\nprint("answer", flush=True)`
    const result = await runProcess('python3', ['-c', script], { env, timeoutMs: 50000 })
    expect(result).toMatchObject({ exitCode: 0, timedOut: false })
    expect(result.stdout).toContain('before\n')
    expect(result.stdout).toContain('answer\n')
    expect(isRunning(daemonPid(pidFile))).toBe(true)
  })

  test('a daemon the command left in its process group is ended when the command exits', async () => {
    const pidFile = newPidFile()
    const result = await runProcess('python3', ['-c', forkDaemonPython(pidFile)], { env, timeoutMs: 50000 })
    expect(result).toMatchObject({ exitCode: 0, timedOut: false })
    expect(await endsSoon(daemonPid(pidFile))).toBe(true)
  })
})
