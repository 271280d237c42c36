// jest globalSetup: the run gets a temporary folder of its own, as TMPDIR, which the workers, the processes they start
// and Python's tempfile all use; global-teardown.ts removes it and fails the run when a test left anything in it.
// The end-to-end tests' action is built here, once for the whole run, in that folder.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ACTION_UNDER_TEST, prepareActionUnderTest } from '../../testing/harness/action-under-test.mjs'

export default async function setup(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modal-processor-deploy-tests-'))
  process.env.MODAL_PROCESSOR_DEPLOY_TEST_TMPDIR = dir
  process.env.TMPDIR = dir
  process.env.MODAL_PROCESSOR_DEPLOY_ACTION_DIR = await prepareActionUnderTest(path.join(dir, ACTION_UNDER_TEST))
}
