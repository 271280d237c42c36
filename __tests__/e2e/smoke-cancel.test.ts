// A smoke call never outlives the step, end to end against the emulator (which spawns, waits and cancels as the real
// client 1.5.4 does): a hung processor past smoke-timeout, and a job cancelled mid-call, both leave the call cancelled
// on Modal and its container gone. And the strategies reach Modal: the emulator keeps each version's.
import { errorMessage, expectFailure, World } from './world.js'

const FUNCTION_CALL_ID = /fc-[A-Za-z0-9]{22}/

describe('a smoke call never outlives the step', () => {
  test('a hung processor with a 5 s smoke-timeout is cancelled on Modal, and its container is gone when the step ends', async () => {
    const world = new World()
    world.emulator.addFault('sdk:function.remote', 'hang') // the function hangs inside its container
    const run = await world.run({ 'smoke-timeout': '5' })
    expectFailure(run, ['ERR_SMOKE_TIMEOUT', 'ERR_ROLLBACK_UNAVAILABLE'], 'smoke')
    const calls = world.emulator.functionCalls()
    expect(calls).toHaveLength(1)
    const [call] = calls
    expect(errorMessage(run)).toContain(
      `The smoke call was stopped after 5s (smoke-timeout) and cancelled on Modal with its containers (function call ${call.function_call_id}).`,
    )
    // Recorded when the step ended: cancelled, and its container terminated (not left to the function's own timeout).
    expect(call).toMatchObject({
      app: 'llm-litellm-v1',
      version: 1,
      status: 'cancelled',
      container: 'terminated',
      terminate_containers: true,
    })
    expect(run.summary).toContain(`| Function calls | \`${call.function_call_id}\` |`)
    expect(await world.clientProcessesLeftRunning()).toEqual([])
  })

  test('cancelling the step (SIGTERM to the action) mid-call cancels the call on Modal', async () => {
    const world = new World()
    world.emulator.addFault('sdk:function.remote', 'hang')
    const run = await world.run({}, {}, { cancelWhen: () => world.emulator.functionCalls().some((c) => c.container === 'running') })
    expectFailure(run, ['ERR_CANCELLED'], 'smoke')
    const [call] = world.emulator.functionCalls()
    expect(errorMessage(run)).toContain(
      `The job was cancelled while the smoke call ran; the call was cancelled on Modal with its containers (function call ${call.function_call_id}).`,
    )
    expect(call).toMatchObject({ status: 'cancelled', container: 'terminated', terminate_containers: true })
    // The session's grace period is short of the runner's own (it kills the step about 10 s after the cancel).
    expect(run.msAfterCancel).toBeLessThan(9000)
    expect(await world.clientProcessesLeftRunning()).toEqual([])
  })

  test('a call that passes reports its id, and leaves nothing running', async () => {
    const world = new World()
    const run = await world.run()
    expect(run.exitCode).toBe(0)
    const [call] = world.emulator.functionCalls()
    expect(call.function_call_id).toMatch(FUNCTION_CALL_ID)
    expect(call).toMatchObject({ status: 'succeeded', container: 'exited' })
    expect(run.summary).toContain(`| Function calls | \`${call.function_call_id}\` |`)
    expect(run.logLines.join('\n')).toContain(`Function call ${call.function_call_id} answered`)
  })
})

describe('deploy and rollback strategies', () => {
  test('recreate deploys and (by default) recreate rollbacks are what Modal records', async () => {
    const world = new World()
    const first = await world.run({ 'tool-secrets': '', 'deploy-strategy': 'recreate' })
    expect(first.exitCode).toBe(0)
    world.emulator.addFault('sdk:function.remote', 'garbage', { times: 1 })
    const run = await world.run({}, { GITHUB_RUN_ID: '2002' })
    expectFailure(run, ['ERR_SMOKE_INVALID_RESPONSE', 'ERR_ROLLED_BACK'], 'smoke')
    const versions = (world.emulator.state().apps as { name: string; versions: { version: number; strategy: string }[] }[])
      .find((app) => app.name === 'llm-litellm-v1')!
      .versions.map((v) => [v.version, v.strategy])
    expect(versions).toEqual([
      [1, 'recreate'],
      [2, 'rolling'],
      [3, 'recreate'],
    ])
  })
})
