// jest globalTeardown: removes the run's temporary folder (global-setup.ts), so a run leaves nothing in the system's
// temporary folder, and fails the run when a test left something in it: a test removes what it makes.
import { readdirSync, rmSync } from 'node:fs'
import { ACTION_UNDER_TEST } from '../../testing/harness/action-under-test.mjs'

export default function teardown(): void {
  const dir = process.env.MODAL_PROCESSOR_DEPLOY_TEST_TMPDIR
  if (dir === undefined) return
  const left = readdirSync(dir)
    .filter((name) => name !== ACTION_UNDER_TEST)
    .sort()
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
  if (left.length > 0) {
    throw new Error(
      `The tests left ${left.length} temporary folder(s) or file(s) behind: ${left.join(', ')}. ` +
        'Make them with scratchDir (testing/harness/scratch.mjs), which removes them after each test file, or remove them in afterAll.',
    )
  }
}
