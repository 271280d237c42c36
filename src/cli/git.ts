// The few git questions `matrix --changed-since` asks, each one `git` process with an argument array.
import { runProcess } from '../modal/process.js'
import { oneLine } from '../rules/untrusted-text.js'
import { UsageError } from './options.js'

const GIT_TIMEOUT_MS = 60_000
/** What a push event gives as `github.event.before` for a new branch: no base to compare with. */
export const NO_COMMIT = /^0{40}$/

export interface Git {
  /** The repository's top folder. */
  root: string
  /** The commit a ref names; refuses one the repository does not have, and says why a shallow clone lacks it. */
  commitOf(ref: string): Promise<string>
  /** Paths (from the root, with `/`) that differ between the commit and the working tree. */
  changedSince(commit: string): Promise<string[]>
  /** A file's text at the commit, or null when the commit does not have it. */
  fileAt(commit: string, file: string): Promise<string | null>
}

async function git(cwd: string, env: NodeJS.ProcessEnv, args: string[]) {
  try {
    return await runProcess('git', args, { cwd, env, timeoutMs: GIT_TIMEOUT_MS })
  } catch (error) {
    throw new UsageError(`--changed-since needs git, which could not be run: ${(error as Error).message}.`)
  }
}

export async function openGit(cwd: string, env: NodeJS.ProcessEnv): Promise<Git> {
  const top = await git(cwd, env, ['rev-parse', '--show-toplevel'])
  if (top.exitCode !== 0) throw new UsageError(`--changed-since needs a git repository; ${cwd} is not in one.`)
  const root = top.stdout.trim()
  return {
    root,
    async commitOf(ref) {
      // A value that starts with '-' would read as an option of git.
      if (ref.startsWith('-') || ref.trim() === '') throw new UsageError(`--changed-since '${oneLine(ref)}' is not a git ref.`)
      const found = await git(root, env, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
      if (found.exitCode === 0) return found.stdout.trim()
      const shallow = await git(root, env, ['rev-parse', '--is-shallow-repository'])
      if (shallow.stdout.trim() === 'true') {
        throw new UsageError(
          `--changed-since '${oneLine(ref)}' is not in this shallow clone: fetch the history it needs (actions/checkout with fetch-depth: 0, or git fetch --deepen).`,
        )
      }
      throw new UsageError(`--changed-since '${oneLine(ref)}' is not a commit, branch or tag of this repository.`)
    },
    async changedSince(commit) {
      const diff = await git(root, env, ['diff', '--name-only', '--no-renames', '-z', commit, '--'])
      if (diff.exitCode !== 0) throw new UsageError(`git diff against ${commit} failed: ${diff.stderr.trim()}`)
      return diff.stdout.split('\0').filter((p) => p !== '')
    },
    async fileAt(commit, file) {
      const exists = await git(root, env, ['cat-file', '-e', `${commit}:${file}`])
      if (exists.exitCode !== 0) return null
      const shown = await git(root, env, ['show', `${commit}:${file}`])
      if (shown.exitCode !== 0) throw new UsageError(`git show ${commit}:${file} failed: ${shown.stderr.trim()}`)
      return shown.stdout
    },
  }
}
