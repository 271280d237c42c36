// Temporary folders of the demo, the bench and the tests (emulator homes, runner workspaces, scratch repositories):
// each one is recorded when made, so that whoever made it can remove all of them when it ends, also after a failure.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const made = new Set()

/** A new, empty folder in the system's temporary folder, named `<prefix>XXXXXX`, removed by `removeScratchDirs`. */
export function scratchDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  made.add(dir)
  return dir
}

/** Removes every folder `scratchDir` made in this process (and in this jest test file) so far. */
export function removeScratchDirs() {
  for (const dir of made) rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
  made.clear()
}

/**
 * For a script (the demo, the bench): remove its folders when it exits, however it exits, and when it is
 * interrupted (Ctrl-C, or the runner's SIGTERM), after which it ends as the signal would have ended it.
 */
export function removeScratchDirsOnExit() {
  process.on('exit', removeScratchDirs)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      removeScratchDirs()
      process.kill(process.pid, signal)
    })
  }
}
