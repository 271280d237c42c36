// The action folder the end-to-end tests run: built once per jest run from the current src/ by the global setup
// (__tests__/support/global-setup.ts, testing/harness/action-under-test.mjs).
const dir = process.env.MODAL_PROCESSOR_DEPLOY_ACTION_DIR
if (dir === undefined)
  throw new Error('MODAL_PROCESSOR_DEPLOY_ACTION_DIR is unset: run the tests with jest, whose global setup builds the action.')

export const ACTION_DIR: string = dir
