// The file boundary, on real folders, FIFOs, sockets, devices and symlinks: what it refuses, and that it refuses at once.
import { chmodSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  FileRefused,
  isSameFile,
  leadsOut,
  readRegularFile,
  resolveInside,
  writeRegularFile,
  writeTarget,
} from '../../src/platform/files.js'
import { notRegularFiles, tempFolders } from '../support/special-files.js'

const folders = tempFolders()

async function refusal(promise: Promise<unknown>): Promise<{ problem: string; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  if (!(error instanceof FileRefused)) throw new Error(`expected a refusal, got ${String(error)}`)
  return { problem: error.problem, message: error.message }
}

/** A workspace and a folder beside it (outside it). */
function workspaceAndOutside() {
  const base = folders.make()
  const workspace = path.join(base, 'workspace')
  const outside = path.join(base, 'outside')
  mkdirSync(workspace)
  mkdirSync(outside)
  writeFileSync(path.join(outside, 'precious.json'), 'precious')
  return { workspace, outside }
}

describe('reading: only regular files, and never more than the bound', () => {
  test('a FIFO, a socket, a device and a folder are refused at once, each named', async () => {
    const dir = folders.make()
    const special = await notRegularFiles(dir, folders)
    for (const [name, file] of Object.entries(special)) {
      const direct = await refusal(readRegularFile(file, 1024))
      expect({ name, ...direct }).toEqual({ name, problem: 'not-regular', message: expect.stringMatching(/, not a regular file$/) })
      // Through a symlink too: what is read is what the link names.
      symlinkSync(file, path.join(dir, `link-to-${name}`))
      expect((await refusal(readRegularFile(path.join(dir, `link-to-${name}`), 1024))).problem).toBe('not-regular')
    }
    expect((await refusal(readRegularFile(special.FIFO, 1))).message).toBe('is a FIFO (named pipe), not a regular file')
    expect((await refusal(readRegularFile('/dev/zero', 1))).message).toBe('is a character device, not a regular file')
    expect((await refusal(readRegularFile(special.socket, 1))).message).toBe('is a socket, not a regular file')
    expect((await refusal(readRegularFile(special.folder, 1))).message).toBe('is a folder, not a regular file')
  })

  test('the bound counts bytes read, not the size stat reports', async () => {
    const dir = folders.make()
    writeFileSync(path.join(dir, 'exact'), 'x'.repeat(100))
    writeFileSync(path.join(dir, 'over'), 'x'.repeat(101))
    expect(await readRegularFile(path.join(dir, 'exact'), 100)).toBe('x'.repeat(100))
    expect(await refusal(readRegularFile(path.join(dir, 'over'), 100))).toEqual({
      problem: 'too-large',
      message: 'is larger than 100 bytes',
    })
    // /proc files say size 0 and have content: the bound still holds.
    expect(await refusal(readRegularFile('/proc/self/status', 10))).toMatchObject({ problem: 'too-large' })
    expect(await readRegularFile('/proc/self/status', 64 * 1024)).toContain('Name:')
  })

  test('a missing file says so', async () => {
    expect(await refusal(readRegularFile(path.join(folders.make(), 'nope.json'), 10))).toEqual({
      problem: 'missing',
      message: 'does not exist',
    })
  })
})

describe('writing: inside the root by real path, never through or onto a symlink', () => {
  test('a symlinked folder, a symlinked file, .. and an absolute path out of the root are refused; nothing is written', async () => {
    const { workspace, outside } = workspaceAndOutside()
    symlinkSync(outside, path.join(workspace, 'reports'))
    symlinkSync(path.join(outside, 'precious.json'), path.join(workspace, 'run.json'))
    symlinkSync(path.join(workspace, 'inside.json'), path.join(workspace, 'alias.json'))
    writeFileSync(path.join(workspace, 'inside.json'), 'mine')
    const cases: [string, string][] = [
      ['reports/run.json', 'outside'],
      ['reports/precious.json', 'outside'],
      ['reports/new/deeper/run.json', 'outside'],
      ['../outside/precious.json', 'outside'],
      [path.join(outside, 'precious.json'), 'outside'],
      ['run.json', 'outside'],
      ['alias.json', 'symlink'],
    ]
    for (const [target, problem] of cases) {
      expect({ target, problem: (await refusal(writeRegularFile(workspace, path.resolve(workspace, target), 'x'))).problem }).toEqual({
        target,
        problem,
      })
    }
    expect(readFileSync(path.join(outside, 'precious.json'), 'utf8')).toBe('precious')
    expect(readFileSync(path.join(workspace, 'inside.json'), 'utf8')).toBe('mine')
    expect(existsSync(path.join(outside, 'new'))).toBe(false)
  })

  test('a dangling symlinked folder is refused, not followed to create folders where it points', async () => {
    const { workspace, outside } = workspaceAndOutside()
    symlinkSync(path.join(outside, 'later'), path.join(workspace, 'reports'))
    expect((await refusal(writeRegularFile(workspace, path.join(workspace, 'reports', 'a', 'run.json'), 'x'))).problem).toBe('symlink')
    expect(existsSync(path.join(outside, 'later'))).toBe(false)
  })

  test('a FIFO, a socket, a device and a folder are refused as targets at once; the root itself too', async () => {
    const dir = folders.make()
    for (const [name, file] of Object.entries(await notRegularFiles(dir, folders))) {
      const root = name === 'device' ? '/dev' : dir
      expect({ name, ...(await refusal(writeRegularFile(root, file, 'x'))) }).toEqual({
        name,
        problem: 'not-regular',
        message: expect.stringMatching(/, not a regular file$/),
      })
    }
    expect((await refusal(writeTarget(dir, dir))).message).toBe('is a folder, not a regular file')
  })

  test('a regular target is written with its folders, through a symlinked folder that stays inside, and replaced whole', async () => {
    const { workspace } = workspaceAndOutside()
    await writeRegularFile(workspace, path.join(workspace, 'reports', 'a', 'run.json'), 'first, longer')
    symlinkSync(path.join(workspace, 'reports'), path.join(workspace, 'latest'))
    await writeRegularFile(workspace, path.join(workspace, 'latest', 'a', 'run.json'), 'second')
    expect(readFileSync(path.join(workspace, 'reports', 'a', 'run.json'), 'utf8')).toBe('second')
  })
})

describe('writing: a hard link at the target is replaced, never written through', () => {
  test('a hard link to a file outside the root: the link gets the text, the file outside keeps its own; no temporary file stays', async () => {
    const { workspace, outside } = workspaceAndOutside()
    mkdirSync(path.join(workspace, 'reports'))
    const report = path.join(workspace, 'reports', 'run.json')
    linkSync(path.join(outside, 'precious.json'), report)
    chmodSync(report, 0o600)
    await writeRegularFile(workspace, report, 'report')
    expect(readFileSync(report, 'utf8')).toBe('report')
    expect(readFileSync(path.join(outside, 'precious.json'), 'utf8')).toBe('precious')
    expect(statSync(report).mode & 0o777).toBe(0o600)
    expect(readdirSync(path.join(workspace, 'reports'))).toEqual(['run.json'])
  })

  test('the kept file (the catalogue), by a hard link or another name, is refused at the write; nothing changes', async () => {
    const { workspace } = workspaceAndOutside()
    const catalogue = path.join(workspace, 'modal-processors.json')
    writeFileSync(catalogue, '{}')
    linkSync(catalogue, path.join(workspace, 'hard.json'))
    symlinkSync(workspace, path.join(workspace, 'here'))
    const kept = [{ file: catalogue, name: 'the processor catalogue' }]
    for (const alias of ['hard.json', 'here/modal-processors.json', 'modal-processors.json']) {
      expect({ alias, ...(await refusal(writeRegularFile(workspace, path.join(workspace, alias), 'x', kept))) }).toEqual({
        alias,
        problem: 'kept',
        message: 'is the processor catalogue',
      })
    }
    expect(readFileSync(catalogue, 'utf8')).toBe('{}')
    expect(readdirSync(workspace).sort()).toEqual(['hard.json', 'here', 'modal-processors.json'])
  })

  test('a first folder named like `..reports` is inside the root', async () => {
    const { workspace } = workspaceAndOutside()
    await writeRegularFile(workspace, path.join(workspace, '..reports', 'run.json'), 'inside')
    expect(readFileSync(path.join(workspace, '..reports', 'run.json'), 'utf8')).toBe('inside')
    expect(await resolveInside(workspace, '..bin/processor')).toBe(path.join(workspace, '..bin', 'processor'))
    expect(leadsOut('..reports/run.json')).toBe(false)
    expect(leadsOut('..')).toBe(true)
    expect(leadsOut(`..${path.sep}x`)).toBe(true)
    expect(leadsOut('/abs')).toBe(true)
  })
})

describe('a path relative to a folder, kept inside it', () => {
  test('absolute, .. and a symlink out are refused; a path inside is its real path', async () => {
    const { workspace, outside } = workspaceAndOutside()
    mkdirSync(path.join(workspace, 'bin'))
    writeFileSync(path.join(workspace, 'bin', 'processor'), '#!/bin/sh\n')
    symlinkSync(outside, path.join(workspace, 'elsewhere'))
    symlinkSync('/bin/sh', path.join(workspace, 'bin', 'shell'))
    expect((await refusal(resolveInside(workspace, '/bin/sh'))).problem).toBe('outside')
    expect((await refusal(resolveInside(workspace, '../outside/precious.json'))).problem).toBe('outside')
    expect((await refusal(resolveInside(workspace, 'bin/../../outside/x'))).problem).toBe('outside')
    expect((await refusal(resolveInside(workspace, 'elsewhere/precious.json'))).problem).toBe('outside')
    expect((await refusal(resolveInside(workspace, 'bin/shell'))).problem).toBe('outside')
    expect(await resolveInside(workspace, 'bin/processor')).toBe(path.join(workspace, 'bin', 'processor'))
    expect(await resolveInside(workspace, './bin/../bin/not-yet')).toBe(path.join(workspace, 'bin', 'not-yet'))
  })
})

describe('the same file', () => {
  test('by real path (a symlinked folder, a symlink) and by inode (a hard link), never by string', async () => {
    const { workspace } = workspaceAndOutside()
    const catalogue = path.join(workspace, 'modal-processors.json')
    writeFileSync(catalogue, '{}')
    symlinkSync(workspace, path.join(workspace, 'here'))
    symlinkSync(catalogue, path.join(workspace, 'link.json'))
    linkSync(catalogue, path.join(workspace, 'hard.json'))
    for (const alias of ['here/modal-processors.json', 'link.json', 'hard.json', './here/../modal-processors.json']) {
      expect({ alias, same: await isSameFile(path.join(workspace, alias), catalogue) }).toEqual({ alias, same: true })
    }
    expect(await isSameFile(path.join(workspace, 'other.json'), catalogue)).toBe(false)
  })
})
