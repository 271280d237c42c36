// One process at a time may make a folder that several jobs of one machine can want at once (the Modal client
// environment in a shared tool cache): the lock is the folder `<target>.lock` holding its owner's pid and host. It
// appears whole: made under another name, then renamed, which fails when a lock with an owner is there. A lock whose
// owner on this host is gone is taken over.
import { readFileSync, statSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export interface LockOwner {
  pid: number
  host: string
}

/** The lock was still held after `waitedMs` (by `owner`, when it says who), or the wait was `stopped`. */
export class LockTimeout extends Error {
  constructor(
    readonly lock: string,
    readonly owner: LockOwner | null,
    readonly waitedMs: number,
    readonly stopped = false,
  ) {
    super(`${lock} is held${owner ? ` by process ${owner.pid} on ${owner.host}` : ''}`)
    this.name = 'LockTimeout'
  }
}

export interface FolderLockOptions {
  /** How long to wait for another owner before giving up (LockTimeout). */
  waitMs: number
  pollMs?: number
  /** Told once, when the lock is found held by a live owner: the wait begins. */
  onWait?: (owner: LockOwner | null, lock: string) => void
  /** Asked while waiting: true ends the wait (a cancelled job). */
  stopped?: () => boolean
}

const OWNER_FILE = 'owner.json'
/** A lock whose owner file cannot be read (another version's, or damaged) is given this long before it is removed. */
const UNOWNED_GRACE_MS = 10_000

/** Runs `body` holding the lock on `target`, then releases it (also when `body` throws). */
export async function withFolderLock<T>(target: string, options: FolderLockOptions, body: () => Promise<T>): Promise<T> {
  const lock = `${target}.lock`
  await mkdir(path.dirname(lock), { recursive: true })
  const started = Date.now()
  let told = false
  const token = randomBytes(8).toString('hex')
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), token })
  while (!(await take(lock, token, mine))) {
    const text = ownerText(lock)
    const owner = parseOwner(text)
    if (owner === null ? ageMs(lock) > UNOWNED_GRACE_MS : !isAlive(owner)) {
      await removeIfOwned(lock, text)
      continue
    }
    const stopped = options.stopped?.() ?? false
    if (stopped || Date.now() - started >= options.waitMs) throw new LockTimeout(lock, owner, Date.now() - started, stopped)
    if (!told) options.onWait?.(owner, lock)
    told = true
    await sleep(options.pollMs ?? 500)
  }
  try {
    return await body()
  } finally {
    await removeIfOwned(lock, mine)
  }
}

async function take(lock: string, token: string, owner: string): Promise<boolean> {
  const made = `${lock}.${token}`
  await mkdir(made)
  await writeFile(path.join(made, OWNER_FILE), owner)
  try {
    // Replaces an empty folder (a crash before the rename), never one with an owner.
    await rename(made, lock)
    return true
  } catch (error) {
    await rm(made, { recursive: true, force: true })
    if (['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) return false
    throw error
  }
}

/**
 * Removes the lock if its owner file still reads `owner`: first moved away whole (a rename), so that no other taker's
 * rename can land in a half-removed folder; put back when it turns out to be another's (taken over meanwhile).
 */
async function removeIfOwned(lock: string, owner: string | null): Promise<void> {
  const away = `${lock}.${randomBytes(8).toString('hex')}.gone`
  try {
    await rename(lock, away)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return // already gone
    throw error
  }
  if (ownerText(away) !== owner) {
    const restored = await rename(away, lock).then(
      () => true,
      () => false,
    )
    if (restored) return
  }
  await rm(away, { recursive: true, force: true })
}

function ownerText(lock: string): string | null {
  try {
    return readFileSync(path.join(lock, OWNER_FILE), 'utf8')
  } catch {
    return null
  }
}

/** The owner a lock's file names. */
function parseOwner(text: string | null): LockOwner | null {
  try {
    const owner = JSON.parse(text ?? '') as Partial<LockOwner>
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? { pid: owner.pid!, host: owner.host } : null
  } catch {
    return null
  }
}

/** Alive unless it is this host's and no such process exists; another host's owner can only be waited out. */
function isAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true
  try {
    process.kill(owner.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

function ageMs(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs
  } catch {
    return 0 // gone meanwhile: the next take will tell
  }
}
