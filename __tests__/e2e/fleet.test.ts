// A fleet deploy as deploy-fleet.yml runs it, against the local Modal emulator: the plan from the committed catalogue,
// both reference processors deployed by two runs of the action at once, then one report over their report files.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { REPLICATE_PROCESSOR, REPLICATE_TOKEN } from '../../testing/harness/emulator.mjs'
import type { ActionRun } from '../../testing/harness/github-runner.mjs'
import type { MatrixEntry } from '../../src/rules/fleet-plan.js'
import { ACTION_DIR } from './action-under-test.js'
import { errorTitles, REPO_ROOT, World } from './world.js'

const CATALOGUE = path.join(REPO_ROOT, 'modal-processors.json')

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(ACTION_DIR, 'dist', 'cli.cjs'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('a fleet of two processors', () => {
  const world = new World()
  let plan: string
  let entries: MatrixEntry[]
  let runs: ActionRun[]

  beforeAll(async () => {
    world.emulator.pushImage(REPLICATE_PROCESSOR)
    world.emulator.createSecret('dev', 'REPLICATE_API_TOKEN', { REPLICATE_API_TOKEN: REPLICATE_TOKEN })
    plan = cli('matrix').stdout.trim()
    entries = (JSON.parse(plan) as { include: MatrixEntry[] }).include
    // One job per entry, as the matrix job runs them: at the same time, each with the matrix's inputs only.
    runs = await Promise.all(
      entries.map((entry) =>
        world.run({
          'processor-ref': entry['processor-ref'],
          'image-ref': entry['image-ref'],
          'tool-secrets': entry['tool-secrets'],
          'catalogue-file': CATALOGUE,
          'report-file': `fleet-reports/${entry['app-name']}.json`,
        }),
      ),
    )
  })

  test('the plan has both reference processors, pinned as the emulator holds them', () => {
    expect(entries.map((e) => [e['processor-ref'], e['app-name']])).toEqual([
      ['llm/litellm@1', 'llm-litellm-v1'],
      ['replicate/generic@1', 'replicate-generic-v1'],
    ])
    expect(entries[1]['image-ref']).toBe(world.emulator.pushImage(REPLICATE_PROCESSOR))
  })

  test('both runs succeed at once, each deploying and calling only its own app', () => {
    expect(runs.map((run) => [run.exitCode, errorTitles(run)])).toEqual([
      [0, []],
      [0, []],
    ])
    expect(world.versions('llm-litellm-v1')).toHaveLength(1)
    expect(world.versions('replicate-generic-v1')).toHaveLength(1)
    expect(JSON.parse(runs[0].outputs['smoke-output'])).toMatchObject({ choices: [{ message: { content: 'mock reply to: test' } }] })
    // The catalogue's smoke_tests: a Replicate model and its input, not the default chat message; the first test's output.
    expect(JSON.parse(runs[1].outputs['smoke-output'])).toMatchObject({ model: 'replicate/hello-world', input: { text: 'test' } })
    expect(runs[1].summary).toMatch(/^\| hello-world \| ✅ passed \| \d+ ms \| — \|$/m)
    expect(runs[1].summary).toMatch(/^\| input-passed-through \| ✅ passed \| \d+ ms \| — \|$/m)
  })

  test('fleet-report over their report files: one row each, and the verdict', () => {
    const files = runs.map((run, i) => path.join(run.base, 'workspace', 'fleet-reports', `${entries[i]['app-name']}.json`))
    const report = cli('fleet-report', '--matrix', plan, ...files)
    expect(report.status).toBe(0)
    expect(report.stdout).toContain('✅ All 2 processor(s) passed.')
    expect(report.stdout).toMatch(/^\| ✅ llm\/litellm@1 \| llm-litellm-v1 \| none → v1 \| passed \| — \| \d+\.\d s \|$/m)
    expect(report.stdout).toMatch(/^\| ✅ replicate\/generic@1 \| replicate-generic-v1 \| none → v1 \| passed \| — \| \d+\.\d s \|$/m)
  })
})
