// The end-to-end tests run the action built from the current src/, never the committed dist/ (stale until someone
// runs the build): an action folder with a fresh dist/, and links to everything else the action and the tests use
// from this repository. jest's global setup builds it once per run (esbuild takes seconds), and every test file uses it.
import { copyFileSync, cpSync, mkdirSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { buildAll } from '../../scripts/build.mjs'
import { REPO_ROOT } from './emulator.mjs'

/** The action folder's name in the test run's temporary folder, which the global teardown removes. */
export const ACTION_UNDER_TEST = 'action-under-test'

/** Makes the action folder `dir` (created if missing) from the current src/ and returns it. */
export async function prepareActionUnderTest(dir) {
  mkdirSync(dir, { recursive: true })
  copyFileSync(path.join(REPO_ROOT, 'action.yml'), path.join(dir, 'action.yml'))
  for (const entry of ['modal', 'modal-session', 'local-adapter', 'scripts', 'testing', 'modal-processors.json', 'node_modules']) {
    symlinkSync(path.join(REPO_ROOT, entry), path.join(dir, entry))
  }
  // Copied, not linked: the catalogue's local_command must stay inside the catalogue's folder, symlinks resolved.
  cpSync(path.join(REPO_ROOT, 'processors'), path.join(dir, 'processors'), { recursive: true })
  await buildAll(dir)
  return dir
}
