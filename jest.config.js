// Native-ESM jest setup: the @actions toolkit ships ESM only, and classic jest.mock cannot load it.
// Coverage is measured on what runs in process; the end-to-end tests spawn bundles and are not counted. The flow, the
// Modal session client and the CLI must stay covered: `npm test` fails below the thresholds.
const covered = (files) => Object.fromEntries(files.map((file) => [`./src/${file}`, { lines: 90 }]))

export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  resolver: 'ts-jest-resolver',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  // jest's transform cache stays with the dependencies, not in /tmp: a test run leaves nothing there.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  // The documentation's shell blocks run the demo, the CLI and the emulator from a copy of the work tree: a heavy
  // file that runs on its own after the others (`npm run test:docs`), so it never competes with the tests that
  // time processes (a cancelled session test failed beside it).
  testPathIgnorePatterns:
    process.env.DOCS_SHELL_BLOCKS === 'only' ? ['/node_modules/'] : ['/node_modules/', '/__tests__/docs/shell-blocks\\.test\\.ts$'],
  testTimeout: 60000,
  // Temporary folders: each test file's are removed when it ends; the run's TMPDIR is checked empty, then removed.
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/scratch-cleanup.ts'],
  globalSetup: '<rootDir>/__tests__/support/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.ts',
  // The end-to-end files mostly wait on child processes: two workers on a 2-core machine finish sooner than one.
  maxWorkers: 2,
  // Untimed (a fresh clone), the files that start processes run first: see the file.
  testSequencer: '<rootDir>/__tests__/support/slow-files-first.mjs',
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageThreshold: covered([
    'flow/run-action.ts',
    'flow/publish.ts',
    'flow/inputs-phase.ts',
    'flow/preflight.ts',
    'flow/deploy.ts',
    'flow/verify.ts',
    'flow/rollback.ts',
    'flow/smoke-call.ts',
    'flow/phases.ts',
    'flow/secret-masking.ts',
    'modal/client.ts',
    'modal/session-keeper.ts',
    'modal/session.ts',
    'modal/session-process.ts',
    'modal/shared-session.ts',
    'cli/main.ts',
    'cli/options.ts',
    'cli/deploy.ts',
    'cli/deploy-batch.ts',
    'cli/logs.ts',
    'cli/run.ts',
    'cli/name.ts',
    'cli/modal.ts',
    'cli/toolkit.ts',
  ]),
}
