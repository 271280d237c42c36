// Where the running bundle lives: the action's (or the CLI package's) folder, the parent of dist/, which holds
// modal/, modal-session/ and local-adapter/.
import { realpathSync } from 'node:fs'
import path from 'node:path'

export function bundleRoot(): string {
  return path.resolve(path.dirname(realpathSync(process.argv[1] ?? '.')), '..')
}
