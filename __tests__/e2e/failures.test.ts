// The action end to end when the deploy or the smoke call fails: what the emulator (as the real client) prints,
// read into titled errors; run as the runner runs the action.
import { ERROR_CATALOG } from '../../src/rules/errors.js'
import { IMAGE_FAILURE_SIGNATURES } from '../../src/rules/image-build.js'
import { markdownText } from '../../src/rules/untrusted-text.js'
import type { ActionRun } from '../../testing/harness/github-runner.mjs'
import { errorMessage, expectFailure, World } from './world.js'

describe('deploy failures', () => {
  test('a module that calls sys.exit at import cannot pass for a deploy', async () => {
    const world = new World()
    const moduleDir = world.ownModule('import sys\nsys.exit(0)\n')
    const run = await world.run({ 'modal-module-dir': moduleDir })
    expectFailure(run, ['ERR_DEPLOY_UNVERIFIED'], 'verify')
    expect(errorMessage(run)).toContain("No App with name 'llm-litellm-v1' found")
    expect(world.versions()).toEqual([])
    expect(await world.clientProcessesLeftRunning()).toEqual([])
  })

  test('a module that fails to import', async () => {
    const world = new World()
    const moduleDir = world.ownModule('import modal\nimport processor_helpers_that_do_not_exist\napp = modal.App("llm-litellm-v1")\n')
    const run = await world.run({ 'modal-module-dir': moduleDir })
    expectFailure(run, ['ERR_MODULE_IMPORT_FAILED'], 'deploy')
    expect(errorMessage(run)).toContain("No module named 'processor_helpers_that_do_not_exist'")
    expect(world.versions()).toEqual([])
  })

  test('a permanent deploy failure shows the command, exit code and the end of stderr', async () => {
    const world = new World()
    world.emulator.addFault('deploy', 'fail', { message: 'Internal server error while publishing the app' })
    const run = await world.run()
    expectFailure(run, ['ERR_DEPLOY_FAILED'], 'deploy')
    expect(errorMessage(run)).toContain('modal deploy exited with code 1: Internal server error while publishing the app')
    expect(errorMessage(run)).toContain('Command: modal deploy -m modal_app --env dev')
  })

  test('a deploy that hangs is stopped at deploy-timeout', async () => {
    const world = new World()
    world.emulator.addFault('deploy', 'hang')
    const run = await world.run({ 'deploy-timeout': '3' })
    expectFailure(run, ['ERR_DEPLOY_TIMEOUT'], 'deploy')
    expect(errorMessage(run)).toContain('modal deploy was stopped after 3s (deploy-timeout)')
    expect(await world.clientProcessesLeftRunning()).toEqual([])
    // Without the timeout the deploy would hang until jest's own limit (60 s); a loaded machine stays well under.
    expect(run.wallMs).toBeLessThan(45000)
  })
})

describe('image build failures, read from what Modal shows', () => {
  const IMAGE_ID = /\(image (im-[A-Za-z0-9]{22})\)\./

  /** The failure's annotation and summary: the code, its fix, the quoted build-log line, the image id and its logs command. */
  function expectImageFailure(world: World, run: ActionRun, code: string, fix: string, quoted: string): void {
    expectFailure(run, [code], 'deploy')
    const message = errorMessage(run)
    const imageId = IMAGE_ID.exec(message)?.[1] ?? ''
    expect(message).toMatch(IMAGE_ID)
    expect(message).toContain(`Build log:\n`)
    expect(message).toContain(`\n  ${quoted}\n`)
    expect(message).toContain(`The whole build log: modal image logs ${imageId}`)
    expect(message).toContain(`\nFix: ${fix}`)
    expect(message).toContain('Command: modal deploy -m modal_app --env dev --tag')
    expect(run.summary).toContain(`modal image logs ${imageId}`)
    // The emulator shows the real client's panel, and never a phrase the real client lacks.
    expect(run.stdout).toContain(`Image build for ${imageId}`)
    expect(`${run.stdout}${run.stderr}`).not.toContain('Image pull failed')
    expect(run.summary).toContain(`Fix: ${markdownText(fix)}`)
    // The command the message gives works, and shows the lines quoted.
    const logs = world.emulator.modal('image', 'logs', imageId)
    expect([logs.status, logs.stdout]).toEqual([0, expect.stringContaining(quoted)])
    expect(run.outputs).toMatchObject({ phase: 'deploy', 'error-code': code, version: '' })
    expect(world.versions()).toEqual([])
  }

  const signatureFix = (name: string) => IMAGE_FAILURE_SIGNATURES.find((row) => row.name === name)!.fix!

  test.each([
    [
      'pull-refused',
      'ERR_IMAGE_PULL_FAILED',
      signatureFix('registry auth refused'),
      'Error: failed to pull <ref>: unauthorized: authentication required',
    ],
    [
      'unknown-digest',
      'ERR_IMAGE_PULL_FAILED',
      signatureFix('image or digest unknown'),
      'Error: failed to pull <ref>: manifest unknown: manifest unknown',
    ],
    ['no-python', 'ERR_IMAGE_BUILD_FAILED', signatureFix('no usable Python'), '/bin/sh: 1: python: not found'],
    ['timeout', 'ERR_IMAGE_BUILD_TIMEOUT', ERROR_CATALOG.ERR_IMAGE_BUILD_TIMEOUT.fix, `Copying blob sha256:${'0'.repeat(64)}`],
    ['terminated', 'ERR_IMAGE_BUILD_INTERRUPTED', ERROR_CATALOG.ERR_IMAGE_BUILD_INTERRUPTED.fix, 'Getting image source signatures'],
  ])('the %s fault: %s', async (fault, code, fix, quoted) => {
    const world = new World()
    world.emulator.addFault('sdk:image.build', fault, { times: 1 })
    const run = await world.run()
    expectImageFailure(world, run, code, fix, quoted.replace('<ref>', world.imageRef))
  })

  test('registry credentials the registry itself refuses', async () => {
    const world = new World()
    const wrong = ['REGISTRY_USERNAME=acme-ci', 'REGISTRY_PASSWORD=wrong-password', '--force', '--env', 'dev']
    expect(world.emulator.modal('secret', 'create', 'REGISTRY_AUTH', ...wrong).status).toBe(0)
    const run = await world.run()
    const fix = IMAGE_FAILURE_SIGNATURES.find((row) => row.name === 'registry auth refused')!.fix!
    expectImageFailure(
      world,
      run,
      'ERR_IMAGE_PULL_FAILED',
      fix,
      `Error: failed to pull ${world.imageRef}: unauthorized: authentication required`,
    )
  })
})

describe('smoke call', () => {
  test('a smoke call that hangs is stopped at smoke-timeout', async () => {
    const world = new World()
    world.emulator.addFault('sdk:function.remote', 'hang')
    const run = await world.run({ 'smoke-timeout': '3' })
    expectFailure(run, ['ERR_SMOKE_TIMEOUT', 'ERR_ROLLBACK_UNAVAILABLE'], 'smoke')
    expect(errorMessage(run)).toContain('The smoke call was stopped after 3s (smoke-timeout) and cancelled on Modal with its containers')
    expect(await world.clientProcessesLeftRunning()).toEqual([])
  })

  test('a processor error comes back with the processor’s own message', async () => {
    const world = new World()
    world.emulator.createSecret('dev', 'LITELLM_API_BASE', { LITELLM_API_BASE: 'http://127.0.0.1:9/v1' })
    const run = await world.run({ mode: 'real', 'rollback-on-failure': 'false' })
    expectFailure(run, ['ERR_SMOKE_FAILED'], 'smoke')
    expect(errorMessage(run)).toContain('The processor failed (ProcessorError ERR_PROVIDER_UNREACHABLE): could not reach the provider')
  })

  test('the function is not in the deployed app', async () => {
    const world = new World()
    const moduleDir = world.ownModule(
      'import modal\napp = modal.App("llm-litellm-v1")\n\n@app.function()\ndef other(inputs: dict) -> dict:\n    return inputs\n',
    )
    const run = await world.run({ 'modal-module-dir': moduleDir, 'image-visibility': 'public', 'rollback-on-failure': 'false' })
    expectFailure(run, ['ERR_FUNCTION_NOT_FOUND'], 'smoke')
    expect(errorMessage(run)).toContain("Lookup failed for Function 'run' from the 'llm-litellm-v1' app")
  })
})
