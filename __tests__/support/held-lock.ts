import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/**
 * The lock on `target` (src/platform/folder-lock.ts) as another process would leave it: `owner` as its owner file
 * names it (a string: the file's text as it is; undefined: no file), made `ageSeconds` ago.
 */
export function heldBy(target: string, owner: unknown, ageSeconds = 0): void {
  mkdirSync(`${target}.lock`, { recursive: true })
  const text = typeof owner === 'string' ? owner : JSON.stringify(owner)
  if (owner !== undefined) writeFileSync(path.join(`${target}.lock`, 'owner.json'), text)
  const then = Date.now() / 1000 - ageSeconds
  utimesSync(`${target}.lock`, then, then)
}
