// What counts as a regular file, and how a path that is something else is named in an error: shared by
// src/platform/files.ts (the action and the CLI, bundled) and scripts/release.mjs, a plain Node script run from the
// tagged checkout that cannot import TypeScript. Plain JavaScript, so both import this one file and the rule has a
// single implementation; files.ts holds everything that opens, reads and writes.

/** What a path is, from its stats (an fstat of the open descriptor, or an lstat), in the words messages use. */
export function kindOfStats(stats) {
  if (stats.isFile()) return 'a regular file'
  if (stats.isDirectory()) return 'a folder'
  if (stats.isSymbolicLink()) return 'a symbolic link'
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isSocket()) return 'a socket'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  return 'not a file'
}

/** What an entry of a git tree is, from its mode (`git ls-tree`): only 100644 and 100755 are regular files. */
export function kindOfGitMode(mode) {
  if (mode === '100644' || mode === '100755') return 'a regular file'
  if (mode === '040000') return 'a folder'
  if (mode === '120000') return 'a symbolic link'
  if (mode === '160000') return 'a submodule'
  return 'not a file'
}

/** The reason a path that is not a regular file is refused, e.g. "is a FIFO (named pipe), not a regular file". */
export function notRegular(kind) {
  return `is ${kind}, not a regular file`
}

/** The reason a file over the bound is refused (its size is never trusted: a device says 0). */
export function tooLarge(maxBytes) {
  return `is larger than ${maxBytes} bytes`
}
