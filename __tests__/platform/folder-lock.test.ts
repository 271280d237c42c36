// The lock that keeps two jobs of one machine from making the same folder at once.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'
import { LockTimeout, withFolderLock } from '../../src/platform/folder-lock.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { heldBy } from '../support/held-lock.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('withFolderLock', () => {
  test('bodies on one folder run one at a time, never overlapping; the lock goes with the last', async () => {
    const target = path.join(scratchDir('lock-'), 'venv')
    const events: string[] = []
    const body = (name: string) => async () => {
      events.push(`${name} in`)
      await sleep(100)
      events.push(`${name} out`)
      return name
    }
    const results = await Promise.all([
      withFolderLock(target, { waitMs: 5000, pollMs: 10 }, body('a')),
      withFolderLock(target, { waitMs: 5000, pollMs: 10 }, body('b')),
    ])
    expect(results).toEqual(['a', 'b'])
    // Whichever won the race ran whole before the other began.
    const [first, second] = events[0] === 'a in' ? ['a', 'b'] : ['b', 'a']
    expect(events).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`])
    expect(existsSync(`${target}.lock`)).toBe(false)
  })

  test('many takers polling hard: never two inside at once, no error, nothing left behind', async () => {
    const dir = scratchDir('lock-')
    const target = path.join(dir, 'venv')
    let inside = 0
    let most = 0
    const body = async () => {
      most = Math.max(most, ++inside)
      await sleep(2)
      inside--
    }
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 10 }, () => withFolderLock(target, { waitMs: 20_000, pollMs: 1 }, body)))
    }
    expect(most).toBe(1)
    expect(readdirSync(dir)).toEqual([])
  })

  test('a body that throws releases the lock', async () => {
    const target = path.join(scratchDir('lock-'), 'venv')
    await expect(withFolderLock(target, { waitMs: 1000 }, () => Promise.reject(new Error('pip failed')))).rejects.toThrow('pip failed')
    expect(existsSync(`${target}.lock`)).toBe(false)
  })

  test('a lock whose owner on this host has exited is taken over at once', async () => {
    const target = path.join(scratchDir('lock-'), 'venv')
    const gone = spawnSync('true').pid
    heldBy(target, { pid: gone, host: hostname() })
    const waits: unknown[] = []
    expect(await withFolderLock(target, { waitMs: 5000, onWait: (owner) => waits.push(owner) }, async () => 'made')).toBe('made')
    expect(waits).toEqual([])
  })

  test('a live owner is waited for, once said, then given up on: LockTimeout names it', async () => {
    const target = path.join(scratchDir('lock-'), 'venv')
    const owner = spawn('sleep', ['30'])
    try {
      heldBy(target, { pid: owner.pid, host: hostname() })
      const waits: unknown[] = []
      let ran = false
      const error = await withFolderLock(target, { waitMs: 300, pollMs: 20, onWait: (who) => waits.push(who) }, async () => {
        ran = true
      }).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(LockTimeout)
      expect((error as LockTimeout).owner).toEqual({ pid: owner.pid, host: hostname() })
      expect(waits).toEqual([{ pid: owner.pid, host: hostname() }])
      expect(ran).toBe(false)
      expect(existsSync(`${target}.lock`)).toBe(true) // not ours to remove
    } finally {
      owner.kill()
    }
  })

  test('a wait that is stopped (a cancelled job) ends at once, saying so', async () => {
    const target = path.join(scratchDir('lock-'), 'venv')
    const owner = spawn('sleep', ['30'])
    try {
      heldBy(target, { pid: owner.pid, host: hostname() })
      let asked = 0
      const error = await withFolderLock(target, { waitMs: 60_000, pollMs: 20, stopped: () => ++asked > 2 }, async () => 'made').catch(
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(LockTimeout)
      expect((error as LockTimeout).stopped).toBe(true)
      expect(asked).toBe(3)
    } finally {
      owner.kill()
    }
  })

  test("another host's owner cannot be checked: it is waited for", async () => {
    const target = path.join(scratchDir('lock-'), 'venv')
    heldBy(target, { pid: spawnSync('true').pid, host: `not-${hostname()}` })
    await expect(withFolderLock(target, { waitMs: 200, pollMs: 20 }, async () => 'made')).rejects.toBeInstanceOf(LockTimeout)
  })

  test('an empty lock folder is taken at once; an unreadable owner is waited for until its grace has passed', async () => {
    const empty = path.join(scratchDir('lock-'), 'venv')
    heldBy(empty, undefined)
    expect(await withFolderLock(empty, { waitMs: 200, pollMs: 20 }, async () => 'made')).toBe('made')
    const fresh = path.join(scratchDir('lock-'), 'venv')
    heldBy(fresh, 'not json')
    await expect(withFolderLock(fresh, { waitMs: 200, pollMs: 20 }, async () => 'made')).rejects.toBeInstanceOf(LockTimeout)
    const old = path.join(scratchDir('lock-'), 'venv')
    heldBy(old, 'not json', 60)
    expect(await withFolderLock(old, { waitMs: 200, pollMs: 20 }, async () => 'made')).toBe('made')
  })

  test('nothing is left beside the lock: the folder it was made in is gone, won or lost', async () => {
    const dir = scratchDir('lock-')
    const target = path.join(dir, 'venv')
    await Promise.all([1, 2, 3].map(() => withFolderLock(target, { waitMs: 5000, pollMs: 10 }, () => sleep(30))))
    expect(readdirSync(dir)).toEqual([])
  })
})
