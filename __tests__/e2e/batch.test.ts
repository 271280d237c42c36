// `modal-processor deploy --refs` as a batched fleet job runs it, bundled from the current src/, against the local
// Modal emulator: three processors through one session, the middle one failing, every one attempted.
import { spawnSync } from 'node:child_process'
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Emulator, REFERENCE_PROCESSOR } from '../../testing/harness/emulator.mjs'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { ACTION_DIR } from './action-under-test.js'

// A well-formed image the emulator does not hold: its deploy fails at the image build.
const MISSING_IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'0'.repeat(64)}`

describe('deploy --refs, a batch of three with one failing', () => {
  const emulator = new Emulator()
  const imageRef = emulator.pushReferenceImage()
  emulator.prepareEnvironment('dev')
  const repo = scratchDir('batch-consumer-')
  cpSync(REFERENCE_PROCESSOR.dir, path.join(repo, 'processor'), { recursive: true })
  const entry = (oci: string) => ({ image: { oci }, tool_secrets: ['OPENAI_API_KEY'], local_command: 'processor/bin/processor' })
  const processors = { 'llm/litellm@1': entry(imageRef), 'llm/broken@1': entry(MISSING_IMAGE), 'llm/litellm@2': entry(imageRef) }
  writeFileSync(path.join(repo, 'modal-processors.json'), JSON.stringify({ processors }, null, 2))

  test('all attempted in one session; reports written; the failure named; exit 1', () => {
    const loadsBefore = emulator.clientLoads()
    const run = spawnSync(
      process.execPath,
      [
        path.join(ACTION_DIR, 'dist', 'cli.cjs'),
        'deploy',
        '--env=dev',
        '--refs=llm/litellm@1,llm/broken@1,llm/litellm@2',
        '--report-dir=reports',
      ],
      { cwd: repo, env: { ...process.env, ...emulator.env, GITHUB_WORKSPACE: repo }, encoding: 'utf8' },
    )
    expect({ status: run.status, stderr: run.status === 1 ? '' : run.stderr }).toEqual({ status: 1, stderr: '' })
    // One Modal session: the client was loaded once for the three deploys.
    expect(emulator.clientLoads() - loadsBefore).toBe(1)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('✓ llm/litellm@1 → llm-litellm-v1 in dev: v1 live, smoke call passed')
    expect(lines[1]).toMatch(/^✗ llm\/broken@1: ERR_IMAGE_PULL_FAILED: /)
    expect(lines[2]).toBe('✓ llm/litellm@2 → llm-litellm-v2 in dev: v1 live, smoke call passed')
    expect(lines[3]).toBe('2 of 3 processors passed (1 Modal session).')
    expect(readdirSync(path.join(repo, 'reports')).sort()).toEqual(['llm-broken-v1.json', 'llm-litellm-v1.json', 'llm-litellm-v2.json'])
    const report = (name: string) => JSON.parse(readFileSync(path.join(repo, 'reports', `${name}.json`), 'utf8'))
    expect(report('llm-litellm-v1')).toMatchObject({ ok: true, processorRef: 'llm/litellm@1', versionAfter: 1 })
    expect(report('llm-broken-v1')).toMatchObject({ ok: false, processorRef: 'llm/broken@1', errors: [{ code: 'ERR_IMAGE_PULL_FAILED' }] })
    expect(report('llm-litellm-v2')).toMatchObject({ ok: true, processorRef: 'llm/litellm@2', versionAfter: 1 })
  })
})
