// A wheel folder holding a stand-in `modal` (the emulator's client), for installs with no network:
// PIP_NO_INDEX=1 PIP_FIND_LINKS=<folder> pip install modal==1.5.4 installs it (see stand_in_wheel.py).
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { scratchDir } from './scratch.mjs'

const BUILDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stand_in_wheel.py')

/** A new scratch folder with the stand-in modal wheel in it; returns the folder. */
export function standInWheelFolder() {
  const folder = scratchDir('modal-wheel-')
  execFileSync('python3', [BUILDER, folder], { encoding: 'utf8' })
  return folder
}

/** The step env that makes pip install from `folder` only, never from the network. */
export function offlinePipEnv(folder) {
  return { PIP_NO_INDEX: '1', PIP_FIND_LINKS: folder }
}
