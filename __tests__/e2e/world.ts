// A fresh local Modal world for one end-to-end test: the emulator with environments main and dev, the reference
// image pushed as a private GHCR image, the dev secrets created; and the bundled action run as the runner runs it.
import { expect } from '@jest/globals'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Emulator, OPENAI_KEY, REFERENCE_PROCESSOR, REPO_ROOT } from '../../testing/harness/emulator.mjs'
import { runAction, type ActionRun } from '../../testing/harness/github-runner.mjs'
import { ACTION_DIR } from './action-under-test.js'

export { REPO_ROOT }

const STEP_ENV_SECRET = 'step-env-secret-value-planted-for-tests'

/** Prepared once per test file, then copied for each world: the image pushed, and (when prepared) the dev secrets. */
const templates = new Map<boolean, { emulator: Emulator; imageRef: string }>()

function template(prepare: boolean) {
  let made = templates.get(prepare)
  if (!made) {
    const emulator = new Emulator()
    const imageRef = emulator.pushReferenceImage()
    if (prepare) emulator.prepareEnvironment('dev')
    made = { emulator, imageRef }
    templates.set(prepare, made)
  }
  return made
}

export class World {
  readonly emulator: Emulator
  readonly imageRef: string

  constructor({ prepare = true } = {}) {
    const made = template(prepare)
    this.emulator = Emulator.copyOf(made.emulator)
    this.imageRef = made.imageRef
  }

  baseInputs(): Record<string, string> {
    return {
      'processor-ref': REFERENCE_PROCESSOR.ref,
      'image-ref': this.imageRef,
      'modal-environment': 'dev',
      'tool-secrets': 'OPENAI_API_KEY\nLITELLM_API_BASE?',
    }
  }

  /** Runs dist/ with the base inputs plus `inputs`; `env` overrides the step environment (undefined removes). */
  async run(
    inputs: Record<string, string> = {},
    env: Record<string, string | undefined> = {},
    options: { githubToken?: string; cancelWhenStdoutIncludes?: string; cancelWhen?: () => boolean } = {},
  ): Promise<ActionRun> {
    // Secret values are planted in the step environment too (a workflow often exports them): none may leak.
    const planted = { OPENAI_API_KEY: OPENAI_KEY, UNRELATED_SECRET: STEP_ENV_SECRET }
    const stepEnv = Object.fromEntries(
      Object.entries({ ...planted, ...this.emulator.env, ...env }).filter(([, v]) => v !== undefined),
    ) as Record<string, string>
    const run = await runAction({ actionDir: ACTION_DIR, inputs: { ...this.baseInputs(), ...inputs }, env: stepEnv, ...options })
    expectNoSecretLeak(run, [
      ...Emulator.plantedSecretValues(),
      STEP_ENV_SECRET,
      this.emulator.token.MODAL_TOKEN_SECRET,
      ...(options.githubToken ? [options.githubToken] : []),
    ])
    return run
  }

  /** A user's own Modal module in a folder of the emulator's home; returns the folder. */
  ownModule(source: string): string {
    const dir = mkdtempSync(path.join(this.emulator.home, 'module-'))
    writeFileSync(path.join(dir, 'modal_app.py'), source)
    return dir
  }

  /**
   * A module of the user's own that runs `atImport` on the deploying machine (never in the container) and whose
   * `run` answers the processor contract; returns its folder.
   */
  moduleRunningAtImport(atImport: string[]): string {
    return this.ownModule(
      [
        'import modal, os',
        'if modal.is_local():',
        ...atImport.map((line) => `    ${line}`),
        'app = modal.App("llm-litellm-v1")',
        '@app.function()',
        'def run(inputs: dict) -> dict:',
        '    return {"ok": True, "schema": "v1", "processor": "llm/litellm@1", "mode": inputs["mode"], "output": {}, "duration_ms": 1}',
        '',
      ].join('\n'),
    )
  }

  /** The emulator's processes still running once killed ones have had time to go (see processesLeftRunning). */
  clientProcessesLeftRunning(): Promise<number[]> {
    return this.emulator.processesLeftRunning()
  }

  clientLoads(): number {
    return this.emulator.clientLoads()
  }

  /** Versions of an app as the emulator holds them (empty when never deployed). */
  versions(app = 'llm-litellm-v1', environment = 'dev'): { version: number; tag: string | null }[] {
    const apps = this.emulator.state().apps as { environment: string; name: string; versions: { version: number; tag: string | null }[] }[]
    return apps.find((a) => a.environment === environment && a.name === app)?.versions ?? []
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry)
    return statSync(full).isDirectory() ? filesUnder(full) : [full]
  })
}

/** Every place the runner shows or keeps what the step wrote, with its text. */
export function placesOf(run: ActionRun): [string, string][] {
  return [
    // ::add-mask:: is how the runner learns what to hide; it never reaches the log.
    [
      'stdout',
      run.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n'),
    ],
    ['stderr', run.stderr],
    ['outputs', JSON.stringify(run.outputs)],
    ['summary', run.summary],
    ['annotations', JSON.stringify(run.annotations.map((a) => [a.title, a.message]))],
    ...filesUnder(run.base).map((file): [string, string] => [file, readFileSync(file, 'utf8')]),
  ]
}

/** No planted secret value may reach stdout, stderr, an output, the summary or any file the action wrote. */
export function expectNoSecretLeak(run: ActionRun, secrets: string[]): void {
  for (const secret of secrets) {
    for (const [place, text] of placesOf(run)) {
      if (text.includes(secret)) throw new Error(`secret value leaked into ${place}`)
    }
  }
}

export function errorTitles(run: ActionRun): string[] {
  return errorsOf(run).map((a) => a.title)
}

export function errorsOf(run: ActionRun) {
  return run.annotations.filter((a) => a.level === 'error')
}

/** The message of the n-th error annotation. */
export function errorMessage(run: ActionRun, n = 0): string {
  return errorsOf(run)[n]?.message ?? ''
}

/**
 * What every failed run must show: exit code 1, one error annotation per code in order, the first code and the
 * phase as outputs, the summary leading with the code and saying what to do for each.
 */
export function expectFailure(run: ActionRun, codes: string[], phase: string): void {
  expect(errorTitles(run)).toEqual(codes)
  expect(run.exitCode).toBe(1)
  expect(run.outputs).toMatchObject({ 'error-code': codes[0], phase })
  expect(run.summary).toContain(`was not deployed cleanly: ${codes[0]}`)
  for (const code of codes) expect(run.summary).toContain(`- **${code}**:`)
}
