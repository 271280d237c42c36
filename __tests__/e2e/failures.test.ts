// The action end to end when the deploy or the smoke call fails: what the emulator (as the real client) prints,
// read into titled errors; run as the runner runs the action.
import { errorMessage, expectFailure, World } from './world.js'

describe('deploy failures', () => {
  test('registry credentials that the registry refuses: image pull failed, with the fix', async () => {
    const world = new World({ prepare: false })
    world.emulator.createSecret('dev', 'REGISTRY_AUTH', { REGISTRY_USERNAME: 'acme-ci', REGISTRY_PASSWORD: 'wrong-password' })
    world.emulator.createSecret('dev', 'OPENAI_API_KEY', { OPENAI_API_KEY: 'sk-openai-key-planted-for-tests' })
    const run = await world.run()
    expectFailure(run, ['ERR_IMAGE_PULL_FAILED'], 'deploy')
    expect(errorMessage(run)).toContain('Image pull failed')
    expect(errorMessage(run)).toContain('Fix: Verify the REGISTRY_AUTH values')
    expect(errorMessage(run)).toContain('Command: modal deploy -m modal_app --env dev --tag')
    expect(run.outputs).toMatchObject({ phase: 'deploy', 'error-code': 'ERR_IMAGE_PULL_FAILED', 'app-name': 'llm-litellm-v1' })
    expect(world.versions()).toEqual([])
  })

  test('a digest the registry does not have', async () => {
    const world = new World()
    const run = await world.run({ 'image-ref': `ghcr.io/acme/llm-litellm:1@sha256:${'0'.repeat(64)}` })
    expectFailure(run, ['ERR_IMAGE_PULL_FAILED'], 'deploy')
  })

  test('a module that calls sys.exit at import cannot pass for a deploy', async () => {
    const world = new World()
    const moduleDir = world.ownModule('import sys\nsys.exit(0)\n')
    const run = await world.run({ 'modal-module-dir': moduleDir })
    expectFailure(run, ['ERR_DEPLOY_UNVERIFIED'], 'verify')
    expect(errorMessage(run)).toContain("No App with name 'llm-litellm-v1' found")
    expect(world.versions()).toEqual([])
    expect(world.runningClientProcesses()).toEqual([])
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
    expect(world.runningClientProcesses()).toEqual([])
    expect(run.wallMs).toBeLessThan(30000)
  })
})

describe('smoke call', () => {
  test('a smoke call that hangs is stopped at smoke-timeout', async () => {
    const world = new World()
    world.emulator.addFault('sdk:function.remote', 'hang')
    const run = await world.run({ 'smoke-timeout': '3' })
    expectFailure(run, ['ERR_SMOKE_TIMEOUT', 'ERR_ROLLBACK_UNAVAILABLE'], 'smoke')
    expect(errorMessage(run)).toContain('The smoke call was stopped after 3s (smoke-timeout).')
    expect(world.runningClientProcesses()).toEqual([])
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
