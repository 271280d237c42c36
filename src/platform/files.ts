// The file boundary: every file the project reads or writes on a user's behalf (the processor catalogue, the run
// report file, fleet-report's inputs and plan, a catalogue's local_command) goes through here.
// - Only regular files are read or written: the descriptor is opened without blocking (O_NONBLOCK: a FIFO with no
//   writer, or a reader, cannot hold the open) and fstat-ed before a byte moves, so a FIFO, a device, a socket or a
//   folder is refused at once, never waited on.
// - Every read is bounded by reading at most N+1 bytes, never by the size stat reports (0 for /dev/zero).
// - A written file lands only where its real path (every symlink resolved, its parent folders included) is inside the
//   allowed root; an existing symlink as the target is refused. The text is written to a new file beside the target
//   and renamed over it, so a hard link at the target is replaced, never written through.
// - Everything is asynchronous: no read can stall the event loop, so Ctrl-C and SIGTERM are handled while it runs.
import { constants, type Stats } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { lstat, mkdir, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { kindOfStats, notRegular, tooLarge } from './file-kinds.mjs'

export type FileProblem = 'missing' | 'not-regular' | 'too-large' | 'outside' | 'symlink' | 'kept' | 'unreadable'

/** Why a path was refused, as the end of a sentence that starts with the path ("… is a FIFO, not a regular file"). */
export class FileRefused extends Error {
  constructor(
    readonly problem: FileProblem,
    reason: string,
  ) {
    super(reason)
  }
}

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? 'unknown'

/** The text of a regular file of at most `maxBytes` bytes (UTF-8). */
export async function readRegularFile(file: string, maxBytes: number): Promise<string> {
  const handle = await openRegular(file, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const buffer = Buffer.alloc(maxBytes + 1)
    let size = 0
    while (size <= maxBytes) {
      const { bytesRead } = await handle.read(buffer, size, maxBytes + 1 - size, null).catch((error: unknown) => {
        throw unreadable(error, 'read')
      })
      if (bytesRead === 0) break
      size += bytesRead
    }
    if (size > maxBytes) throw new FileRefused('too-large', tooLarge(maxBytes))
    return buffer.toString('utf8', 0, size)
  } finally {
    await handle.close()
  }
}

/**
 * Where `target` would be written, as a real path inside `root`: refused when it (or a folder on its way) leads out
 * of the root, when it is the root, when it is a symlink, or when it exists and is not a regular file.
 */
export async function writeTarget(root: string, target: string): Promise<string> {
  const real = await realPathInside(root, target)
  if (real === (await realRoot(root))) throw new FileRefused('not-regular', notRegular('a folder'))
  const found = await lstat(target).catch(() => null)
  if (found?.isSymbolicLink()) throw new FileRefused('symlink', 'is a symbolic link; give the path of the file itself')
  if (found && !found.isFile()) throw new FileRefused('not-regular', notRegular(kindOfStats(found)))
  return real
}

/** A file a write must never replace (a processor catalogue), and what to call it when refused. */
export interface KeptFile {
  file: string
  name: string
}

/**
 * Writes `text` to `target` (a regular file inside `root`, created with its folders when missing), checked again now.
 * The text goes to a new file made exclusively beside the target, then renamed over it: a hard link at the target (to
 * the catalogue, or to a file outside the root) is replaced, never written through, and the folder is checked to be
 * the same real folder inside the root just before the rename.
 */
export async function writeRegularFile(root: string, target: string, text: string, kept: readonly KeptFile[] = []): Promise<void> {
  const real = await checkedTarget(root, target, kept)
  const folder = path.dirname(real)
  // The folders on the way are real paths already, so creating the missing ones follows no symlink.
  await mkdir(folder, { recursive: true })
  const mode = ((await lstat(real).catch(() => null))?.mode ?? 0o644) & 0o777
  const temporary = path.join(folder, `.${path.basename(real)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode).catch(
    (error: unknown) => {
      throw unreadable(error)
    },
  )
  let renamed = false
  try {
    await handle.writeFile(text)
    await handle.close()
    if ((await checkedTarget(root, target, kept)) !== real || (await realpath(folder)) !== folder) {
      throw new FileRefused('outside', 'changed while it was written; nothing was written')
    }
    await rename(temporary, real)
    renamed = true
  } finally {
    await handle.close().catch(() => undefined)
    if (!renamed) await unlink(temporary).catch(() => undefined)
  }
}

async function checkedTarget(root: string, target: string, kept: readonly KeptFile[]): Promise<string> {
  const real = await writeTarget(root, target)
  for (const { file, name } of kept) if (await isSameFile(file, real)) throw new FileRefused('kept', `is ${name}`)
  return real
}

/**
 * The real path of `relative` taken from the folder `root`, when it stays inside the root's real path; refused when it
 * is absolute or leads out (through `..` or a symlink). It need not exist yet.
 */
export async function resolveInside(root: string, relative: string): Promise<string> {
  if (path.isAbsolute(relative)) throw new FileRefused('outside', `is an absolute path; give a path relative to ${root}`)
  return realPathInside(root, path.resolve(root, relative))
}

/** Whether two paths are the same file: the same real path, or (both existing) the same inode, as a hard link is. */
export async function isSameFile(a: string, b: string): Promise<boolean> {
  const real = (file: string) => realPathOf(file).catch(() => path.resolve(file))
  const [realA, realB] = await Promise.all([real(a), real(b)])
  if (realA === realB) return true
  const [statsA, statsB] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)])
  return statsA !== null && statsB !== null && statsA.dev === statsB.dev && statsA.ino === statsB.ino
}

async function realRoot(root: string): Promise<string> {
  try {
    return await realpath(root)
  } catch (error) {
    throw new FileRefused('unreadable', `cannot be checked: its folder ${root} cannot be resolved (${errnoOf(error)})`)
  }
}

async function realPathInside(root: string, target: string): Promise<string> {
  const rootReal = await realRoot(root)
  const real = await realPathOf(target)
  if (leadsOut(path.relative(rootReal, real))) {
    throw new FileRefused('outside', `leads outside ${rootReal} (its real path is ${real})`)
  }
  return real
}

/** Whether a path relative to a folder leaves it: `..` as its first part (a folder named `..reports` stays inside). */
export function leadsOut(relative: string): boolean {
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)
}

/**
 * The real path of a path that may not exist yet: its deepest existing folder resolved, the missing rest appended.
 * A dangling symlink on the way has no real path: it is refused, never followed when the folders are created.
 */
async function realPathOf(target: string): Promise<string> {
  const missing: string[] = []
  let at = path.resolve(target)
  for (;;) {
    try {
      return path.join(await realpath(at), ...missing.reverse())
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT' || path.dirname(at) === at) throw unreadable(error)
      if ((await lstat(at).catch(() => null))?.isSymbolicLink()) {
        const where = missing.length === 0 ? 'is' : `runs through ${at},`
        throw new FileRefused('symlink', `${where} a symbolic link that leads nowhere`)
      }
      missing.push(path.basename(at))
      at = path.dirname(at)
    }
  }
}

/** Opens `file` and refuses it, closed again, unless the descriptor is a regular file. */
async function openRegular(file: string, flags: number): Promise<FileHandle> {
  let handle: FileHandle
  try {
    handle = await open(file, flags, 0o644)
  } catch (error) {
    throw await openProblem(file, error)
  }
  let stats: Stats
  try {
    stats = await handle.stat()
  } catch (error) {
    await handle.close()
    throw unreadable(error)
  }
  if (!stats.isFile()) {
    await handle.close()
    throw new FileRefused('not-regular', notRegular(kindOfStats(stats)))
  }
  return handle
}

/** What an open that failed says: missing, a symlink (O_NOFOLLOW), a socket or a FIFO without a reader (ENXIO)… */
async function openProblem(file: string, error: unknown): Promise<FileRefused> {
  const code = errnoOf(error)
  if (code === 'ENOENT') return new FileRefused('missing', 'does not exist')
  if (code === 'ELOOP' && (await lstat(file).catch(() => null))?.isSymbolicLink()) {
    return new FileRefused('symlink', 'is a symbolic link; give the path of the file itself')
  }
  const found = await stat(file).catch(() => null)
  if (found && !found.isFile()) return new FileRefused('not-regular', notRegular(kindOfStats(found)))
  return unreadable(error)
}

function unreadable(error: unknown, what: 'opened' | 'read' = 'opened'): FileRefused {
  if (error instanceof FileRefused) return error
  return new FileRefused('unreadable', `cannot be ${what} (${errnoOf(error)})`)
}
