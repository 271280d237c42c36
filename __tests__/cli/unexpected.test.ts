// A bug of the CLI itself is one titled line and the fix: never a raw stack.
import type { CliIo } from '../../src/cli/io.js'
import { main } from '../../src/cli/main.js'
import { REPO_ROOT } from '../../testing/harness/emulator.mjs'
import { runCli } from '../support/cli-in-process.js'
import { FakeModal } from '../support/fake-modal.js'

test('a failure no rule expects is ERR_UNEXPECTED with what and where, exit 1', async () => {
  let stderr = ''
  const io: CliIo = {
    out: () => {
      throw new TypeError('stdout is gone')
    },
    err: (text) => (stderr += text),
    env: { PATH: process.env.PATH },
    cwd: REPO_ROOT,
    actionRoot: REPO_ROOT,
  }
  expect(await main(['name', 'llm/litellm@1'], io)).toBe(1)
  expect(stderr).toMatch(/^ERR_UNEXPECTED: TypeError: stdout is gone \(at [^\s/]+:\d+:\d+\)\nFix: modal-processor itself failed/)
  expect(stderr).not.toMatch(/\n\s+at /)
})

test('a bug inside a deploy names the error, not the stack', async () => {
  const modal = new FakeModal().on('environment', () => {
    throw new TypeError('cannot read properties of undefined')
  })
  const result = await runCli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--dry-run'], { modal })
  expect(result.stderr).toContain('ERR_UNEXPECTED')
  expect(result.stderr).toContain('TypeError: cannot read properties of undefined (at ')
  expect(result.stderr).not.toMatch(/\n\s+at /)
})
