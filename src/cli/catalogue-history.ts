// The earlier versions of the catalogue file, from the git history of the checkout: what tells prune which processors
// this repository had and removed. Each question is one `git` process with an argument array, bounded in count.
import path from 'node:path'
import { MAX_CATALOGUE_BYTES } from '../flow/catalogue-file.js'
import { runProcess } from '../platform/process.js'

const GIT_TIMEOUT_MS = 60_000
/** The newest changes of the catalogue file read: a processor removed before them is not considered (and the note says so). */
export const MAX_CATALOGUE_CHANGES = 200

export type CatalogueHistory = { available: true; versions: string[]; complete: boolean } | { available: false; why: string }

/** An object id of git (SHA-1 or SHA-256); all zeros is "no file" in a raw diff line. */
const OBJECT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/

/** The texts of the catalogue file's versions, newest first; unavailable (and why) without a full history. */
export async function readCatalogueHistory(filePath: string, file: string, env: NodeJS.ProcessEnv): Promise<CatalogueHistory> {
  const cwd = path.dirname(filePath)
  // --literal-pathspecs: the file's name is a path, never a pathspec's magic (`:(glob)…`).
  const git = (args: string[]) => runProcess('git', ['--literal-pathspecs', ...args], { cwd, env, timeoutMs: GIT_TIMEOUT_MS })
  const unavailable = (why: string): CatalogueHistory => ({ available: false, why })
  let shallow
  try {
    shallow = await git(['rev-parse', '--is-shallow-repository'])
  } catch (error) {
    return unavailable(`git could not be run (${(error as Error).message})`)
  }
  if (shallow.exitCode !== 0) return unavailable(`${file} is not in a git repository`)
  if (shallow.stdout.trim() === 'true') return unavailable('the checkout is shallow, so the catalogue’s git history is not there')
  // One line per commit, then its raw diff lines (`:<mode> <mode> <old blob> <new blob> <status>\t<path>`); -m: a merge
  // that resolved the file differently from both parents has a version of its own.
  const log = await git([
    'log',
    '-m',
    '--no-renames',
    '--raw',
    '--no-abbrev',
    '--format=commit %H',
    `--max-count=${MAX_CATALOGUE_CHANGES}`,
    '--',
    path.basename(filePath),
  ])
  if (log.exitCode !== 0 || log.timedOut) return unavailable(`git log of ${file} failed`)
  const commits = new Set<string>()
  const blobs = new Set<string>()
  for (const line of log.stdout.split('\n')) {
    if (line.startsWith('commit ')) commits.add(line.slice(7))
    // Every version was made by a commit: its new blob (all zeros when the commit deleted the file).
    const id = /^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) /.exec(line)?.[1] ?? ''
    if (OBJECT_ID.test(id) && !/^0+$/.test(id)) blobs.add(id)
  }
  if (commits.size === 0) return unavailable(`${file} has no commits in git`)
  const versions: string[] = []
  for (const blob of blobs) {
    const shown = await git(['cat-file', 'blob', blob])
    if (shown.exitCode === 0 && Buffer.byteLength(shown.stdout) <= MAX_CATALOGUE_BYTES) versions.push(shown.stdout)
  }
  return { available: true, versions, complete: commits.size < MAX_CATALOGUE_CHANGES }
}
