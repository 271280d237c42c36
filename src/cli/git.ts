// The few git questions `matrix` asks to compare with a commit, each one `git` process with an argument array.
import { runProcess } from '../platform/process.js'
import { oneLine } from '../rules/untrusted-text.js'
import { CommandError, UsageError } from './options.js'

const GIT_TIMEOUT_MS = 60_000

export interface Git {
  /** The repository's top folder. */
  root: string
  /** The commit a ref names, or null when the repository does not have it. */
  commitOf(ref: string): Promise<string | null>
  /** A shallow clone lacks older commits, rather than their never having been. */
  isShallow(): Promise<boolean>
  /** The best common ancestor of the commit and HEAD (the commit itself when it is an ancestor of HEAD), or null when
   * there is none to be found: a shallow clone cut above it, or histories that never met. */
  mergeBase(commit: string): Promise<string | null>
  /** Paths (from the root, with `/`) that differ between the commit and the working tree. */
  changedSince(commit: string): Promise<string[]>
  /** A file's text at the commit, or null when the commit does not have it. */
  fileAt(commit: string, file: string): Promise<string | null>
}

async function git(cwd: string, env: NodeJS.ProcessEnv, args: string[]) {
  try {
    return await runProcess('git', args, { cwd, env, timeoutMs: GIT_TIMEOUT_MS })
  } catch (error) {
    throw new CommandError(`git could not be run: ${(error as Error).message}.`)
  }
}

export async function openGit(cwd: string, env: NodeJS.ProcessEnv): Promise<Git> {
  const top = await git(cwd, env, ['rev-parse', '--show-toplevel'])
  if (top.exitCode !== 0) throw new UsageError(`Comparing with a commit needs a git repository; ${cwd} is not in one.`)
  const root = top.stdout.trim()
  return {
    root,
    async commitOf(ref) {
      // --end-of-options: a ref that starts with '-' is never read as an option of git.
      const found = await git(root, env, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
      return found.exitCode === 0 ? found.stdout.trim() : null
    },
    async isShallow() {
      return (await git(root, env, ['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true'
    },
    async mergeBase(commit) {
      const found = await git(root, env, ['merge-base', '--end-of-options', commit, 'HEAD'])
      return found.exitCode === 0 && found.stdout.trim() !== '' ? found.stdout.trim().split('\n')[0] : null
    },
    async changedSince(commit) {
      const diff = await git(root, env, ['diff', '--name-only', '--no-renames', '-z', commit, '--'])
      if (diff.exitCode !== 0) throw new CommandError(`git diff against ${commit} failed: ${oneLine(diff.stderr.trim())}`)
      return diff.stdout.split('\0').filter((p) => p !== '')
    },
    async fileAt(commit, file) {
      const exists = await git(root, env, ['cat-file', '-e', `${commit}:${file}`])
      if (exists.exitCode !== 0) return null
      const shown = await git(root, env, ['show', `${commit}:${file}`])
      if (shown.exitCode !== 0) throw new CommandError(`git show ${commit}:${file} failed: ${oneLine(shown.stderr.trim())}`)
      return shown.stdout
    },
  }
}
