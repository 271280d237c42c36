// The CLI's main() in process, with captured streams, a scripted Modal session and a working folder of the test's.
import type { CliIo } from '../../src/cli/io.js'
import { main } from '../../src/cli/main.js'
import { REPO_ROOT } from '../../testing/harness/emulator.mjs'
import { FakeModal } from './fake-modal.js'

export async function runCli(argv: string[], { modal = new FakeModal(), cwd = REPO_ROOT, env = {} as NodeJS.ProcessEnv } = {}) {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
    env: { PATH: process.env.PATH, GITHUB_WORKSPACE: REPO_ROOT, ...env },
    cwd,
    actionRoot: REPO_ROOT,
    connect: modal.connect,
  }
  const status = await main(argv, io)
  return { status, stdout, stderr, modal }
}
