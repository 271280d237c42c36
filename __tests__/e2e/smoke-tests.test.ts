// Smoke tests with expectations end to end: the bundled action on the runner's protocol, against the local Modal
// emulator running the reference processor in mock mode, with a catalogue that lists several smoke tests.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { ActionRun } from '../../testing/harness/github-runner.mjs'
import { errorMessage, errorTitles, World } from './world.js'

function catalogue(world: World, smokeTests: unknown[]): string {
  const file = path.join(world.emulator.home, 'smoke-catalogue.json')
  const entry = { image: { oci: world.imageRef }, tool_secrets: ['OPENAI_API_KEY'], smoke_tests: smokeTests }
  writeFileSync(file, JSON.stringify({ processors: { 'llm/litellm@1': entry } }))
  return file
}

const reportOf = (run: ActionRun) =>
  JSON.parse(readFileSync(path.join(run.base, 'workspace', 'report.json'), 'utf8')) as { version: number; smokeTests: object[] }

const chat = (content: string) => ({ messages: [{ role: 'user', content }] })
const answer = (content: string) => ({ object: 'chat.completion', choices: [{ message: { role: 'assistant', content } }] })

describe('smoke tests with expectations, through the bundle on the emulator', () => {
  test('every test passes: each called, each a row of the summary and an entry of the report file', async () => {
    const world = new World()
    const file = catalogue(world, [
      { name: 'greets', params: chat('hi'), expect: answer('mock reply to: hi') },
      { name: 'answers', params: chat('2+2?'), expect: answer('mock reply to: 2+2?'), max_ms: 120_000 },
    ])
    const run = await world.run({ 'image-ref': '', 'tool-secrets': '', 'catalogue-file': file, 'report-file': 'report.json' })
    expect(errorTitles(run)).toEqual([])
    expect(run.outputs['smoke-status']).toBe('passed')
    expect(JSON.parse(run.outputs['smoke-output'])).toMatchObject(answer('mock reply to: hi'))
    expect(run.summary).toMatch(/^\| greets \| ✅ passed \| \d+ ms \| — \|$/m)
    expect(run.summary).toMatch(/^\| answers \| ✅ passed \| \d+ ms \| — \|$/m)
    const report = reportOf(run)
    expect(report.version).toBe(2)
    expect(report.smokeTests).toEqual([
      { name: 'greets', status: 'passed', latencyMs: expect.any(Number), code: null, detail: null },
      { name: 'answers', status: 'passed', latencyMs: expect.any(Number), code: null, detail: null },
    ])
  })

  test('a wrong answer fails the step naming the test and the path; the tests after it still run', async () => {
    const world = new World()
    const file = catalogue(world, [
      { name: 'greets', params: chat('hi'), expect: answer('mock reply to: hello') },
      { name: 'answers', params: chat('2+2?'), expect: answer('mock reply to: 2+2?') },
    ])
    const run = await world.run({ 'image-ref': '', 'tool-secrets': '', 'catalogue-file': file, 'report-file': 'report.json' })
    expect(run.exitCode).toBe(1)
    // The first deploy of the app: there is no earlier version to restore.
    expect(errorTitles(run)).toEqual(['ERR_SMOKE_EXPECTATION', 'ERR_ROLLBACK_UNAVAILABLE'])
    expect(errorMessage(run).split('\n')[0]).toBe(
      'Smoke test "greets": the output does not contain what expect says, at $.choices[0].message.content: expected "mock reply to: hello", got "mock reply to: hi".',
    )
    expect(run.outputs['smoke-status']).toBe('failed')
    expect(reportOf(run).smokeTests).toMatchObject([
      { name: 'greets', status: 'failed', code: 'ERR_SMOKE_EXPECTATION' },
      { name: 'answers', status: 'passed' },
    ])
    expect(run.summary).toMatch(/^\| greets \| ❌ failed \| \d+ ms \| ERR_SMOKE_EXPECTATION .*\$\.choices\\\[0\\\]\.message\.content: /m) // [ ] escaped as Markdown
  })
})

describe('smoke tests under rollout: verify-first, on the emulator', () => {
  test('a release whose answer is wrong fails as the candidate and never becomes live', async () => {
    const world = new World()
    const file = catalogue(world, [
      { name: 'greets', params: chat('hi'), expect: answer('mock reply to: hi') },
      { name: 'answers', params: chat('2+2?'), expect: answer('4') },
    ])
    const run = await world.run({
      'image-ref': '',
      'tool-secrets': '',
      'catalogue-file': file,
      'report-file': 'report.json',
      rollout: 'verify-first',
    })
    expect(errorTitles(run)).toEqual(['ERR_SMOKE_EXPECTATION', 'ERR_CANDIDATE_REFUSED'])
    expect(errorMessage(run).split('\n')[0]).toBe(
      'Smoke test "answers": the output does not contain what expect says, at $.choices[0].message.content: expected "4", got "mock reply to: 2+2?".',
    )
    expect(world.versions('llm-litellm-v1')).toEqual([])
    expect(reportOf(run).smokeTests).toMatchObject([
      { name: 'greets', status: 'passed' },
      { name: 'answers', status: 'failed', code: 'ERR_SMOKE_EXPECTATION' },
    ])
  })
})
