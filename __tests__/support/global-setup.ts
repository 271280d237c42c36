// jest globalSetup: the run gets a temporary folder of its own, as TMPDIR, which the workers, the processes they start
// and Python's tempfile all use; global-teardown.ts removes it and fails the run when a test left anything in it.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export default function setup(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modal-processor-deploy-tests-'))
  process.env.MODAL_PROCESSOR_DEPLOY_TEST_TMPDIR = dir
  process.env.TMPDIR = dir
}
