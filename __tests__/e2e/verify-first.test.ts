// rollout: verify-first end to end: the bundle run as the runner runs it, against the emulator, deploying the
// committed module (modal/modal_app.py names its app from MODAL_APP_NAME). A broken release never becomes live; a
// good one does, after its candidate passed; the candidate app is stopped both times.
import { chmodSync, cpSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { REFERENCE_PROCESSOR } from '../../testing/harness/emulator.mjs'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { errorMessage, expectFailure, World } from './world.js'

const LIVE = 'llm-litellm-v1'
const CANDIDATE = 'llm-litellm-v1-candidate'

/** The reference processor's image with a processor that always fails: a release that must not serve. */
function pushBrokenImage(world: World): string {
  const dir = scratchDir('broken-processor-')
  cpSync(REFERENCE_PROCESSOR.dir, dir, { recursive: true })
  const processor = path.join(dir, 'bin', 'processor')
  writeFileSync(
    processor,
    [
      '#!/usr/bin/env python3',
      'import json, sys',
      'sys.stdin.read()',
      'print(json.dumps({"error": {"code": "ERR_MODEL_MISSING", "message": "the model file is missing from this image"}}))',
      'sys.exit(1)',
      '',
    ].join('\n'),
  )
  chmodSync(processor, 0o755)
  return world.emulator.pushImage({ ...REFERENCE_PROCESSOR, dir })
}

type AppRecord = { name: string; environment: string; state: string; live_version: number | null }

function appsNamed(world: World, name: string): AppRecord[] {
  return (world.emulator.state().apps as AppRecord[]).filter((a) => a.environment === 'dev' && a.name === name)
}

describe('rollout: verify-first against the emulator', () => {
  const world = new World()

  test('a broken release never becomes live: the live version stays, nothing is rolled back, the candidate is stopped', async () => {
    const first = await world.run()
    expect(first.exitCode).toBe(0)
    expect(world.versions(LIVE).map((v) => v.version)).toEqual([1])

    const broken = await world.run({ 'image-ref': pushBrokenImage(world), rollout: 'verify-first' })
    expectFailure(broken, ['ERR_SMOKE_FAILED', 'ERR_CANDIDATE_REFUSED'], 'candidate-smoke')
    expect(errorMessage(broken)).toContain('the model file is missing from this image')
    expect(errorMessage(broken, 1)).toContain(`so ${LIVE} was not touched: v1 stays live.`)
    expect(broken.outputs).toMatchObject({
      rollout: 'verify-first',
      'candidate-status': 'failed',
      version: '1',
      'deployed-version': '',
      'rolled-back': 'false',
    })
    // The live app: the one version it had, still live; the candidate: deployed once, then stopped.
    expect(world.versions(LIVE).map((v) => v.version)).toEqual([1])
    expect(appsNamed(world, LIVE).map((a) => [a.state, a.live_version])).toEqual([['deployed', 1]])
    expect(appsNamed(world, CANDIDATE).map((a) => a.state)).toEqual(['stopped'])
    expect(broken.summary).toContain('v1 stayed live: the release failed as the candidate')
    expect(await world.clientProcessesLeftRunning()).toEqual([])
  })

  test('a good release goes live after its candidate passed, and a new candidate app is stopped again', async () => {
    // A new definition (no tool secret attached), so the live deploy really makes a version.
    const good = await world.run({ rollout: 'verify-first', 'tool-secrets': '' })
    expect(good.annotations).toEqual([])
    expect(good.exitCode).toBe(0)
    expect(good.outputs).toMatchObject({
      rollout: 'verify-first',
      'candidate-status': 'passed',
      version: '2',
      'previous-version': '1',
      'deployed-version': '2',
      'smoke-status': 'passed',
      phase: 'smoke',
    })
    expect(world.versions(LIVE).map((v) => v.version)).toEqual([1, 2])
    // The candidate name was free again after the stop: a new candidate app, stopped in its turn.
    expect(appsNamed(world, CANDIDATE).map((a) => a.state)).toEqual(['stopped', 'stopped'])
    expect(good.summary).toContain(`verify-first: candidate \`${CANDIDATE}\` v1, passed, stopped`)
  })
})

describe('rollout: verify-first with a module that names its app itself', () => {
  test('the deploy that missed the candidate is caught, never called, and rolled back', async () => {
    const world = new World()
    expect((await world.run()).exitCode).toBe(0)
    // modal.App("llm-litellm-v1"): MODAL_APP_NAME is not read, so the "candidate" deploy lands on the live app.
    const moduleDir = world.moduleRunningAtImport(['pass'])
    const run = await world.run({ 'modal-module-dir': moduleDir, 'image-visibility': 'public', rollout: 'verify-first' })
    expectFailure(run, ['ERR_CANDIDATE_NOT_SEPARATE', 'ERR_ROLLED_BACK'], 'candidate-deploy')
    expect(errorMessage(run)).toContain(`went to the live app ${LIVE} as v2, which was live without a smoke call`)
    expect(run.outputs).toMatchObject({ 'deployed-version': '2', version: '3', 'rolled-back': 'true', 'candidate-status': 'failed' })
    expect(world.versions(LIVE).map((v) => v.version)).toEqual([1, 2, 3])
    expect(appsNamed(world, CANDIDATE)).toEqual([])
  })
})
