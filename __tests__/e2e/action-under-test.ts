// The end-to-end tests run the action built from the current src/, never the committed dist/ (stale until someone
// runs the build): a temporary action folder with a fresh dist/, and links to everything else the action and the
// tests use from this repository.
import { copyFileSync, cpSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { buildAll } from '../../scripts/build.mjs'
import { REPO_ROOT } from '../../testing/harness/emulator.mjs'
import { scratchDir } from '../../testing/harness/scratch.mjs'

async function prepare(): Promise<string> {
  const dir = scratchDir('action-under-test-')
  copyFileSync(path.join(REPO_ROOT, 'action.yml'), path.join(dir, 'action.yml'))
  for (const entry of ['modal', 'modal-session', 'local-adapter', 'scripts', 'testing', 'modal-processors.json', 'node_modules']) {
    symlinkSync(path.join(REPO_ROOT, entry), path.join(dir, entry))
  }
  // Copied, not linked: the catalogue's local_command must stay inside the catalogue's folder, symlinks resolved.
  cpSync(path.join(REPO_ROOT, 'processors'), path.join(dir, 'processors'), { recursive: true })
  await buildAll(dir)
  return dir
}

export const ACTION_DIR = await prepare()
