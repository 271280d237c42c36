// The v1 input registry-file, kept as an alias of catalogue-file: a workflow that gives it runs as before and is told
// to move; one that gives both, naming different files, is refused before anything changes.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { runAction } from '../../src/flow/run-action.js'
import { FakeModal } from '../support/fake-modal.js'
import { errorTitles, recordingToolkit } from '../support/recording-toolkit.js'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`
const BASE = { 'processor-ref': 'llm/litellm@1', 'image-ref': '', 'modal-environment': 'dev' }

/** A workspace whose only catalogue is fleet/cat.json (no modal-processors.json): the image comes from it or not at all. */
function workspace(): string {
  const dir = scratchDir('alias-')
  writeFileSync(
    path.join(dir, 'cat.json'),
    JSON.stringify({ processors: { 'llm/litellm@1': { image: { oci: IMAGE }, tool_secrets: ['OPENAI_API_KEY'] } } }),
  )
  return dir
}

async function run(inputs: Record<string, string>, dir = workspace()) {
  const modal = new FakeModal()
  const kit = recordingToolkit({ ...BASE, ...inputs }, { GITHUB_WORKSPACE: dir })
  await runAction(kit, { connect: modal.connect })
  const deprecations = kit.record.annotations.filter((a) => a.title === 'Deprecated input')
  const error = kit.record.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n')
  return { ...kit.record, modal, dir, deprecations, error, errors: errorTitles(kit.record) }
}

describe('registry-file, the deprecated alias of catalogue-file', () => {
  test('given alone, it names the catalogue; the run and its outputs are the same, with one deprecation warning', async () => {
    const current = await run({ 'catalogue-file': 'cat.json' })
    const alias = await run({ 'registry-file': 'cat.json' })
    expect(current.errors).toEqual([])
    expect(alias.errors).toEqual([])
    expect(alias.outputs).toEqual({ ...current.outputs, 'duration-ms': alias.outputs['duration-ms'] })
    expect(alias.modal.labels()).toEqual(current.modal.labels())
    expect(current.deprecations).toEqual([])
    expect(alias.deprecations).toEqual([
      { level: 'warning', title: 'Deprecated input', message: expect.stringMatching(/^registry-file is deprecated, use catalogue-file/) },
    ])
  })

  test('given with catalogue-file naming the same file: used, with the warning', async () => {
    const result = await run({ 'catalogue-file': 'cat.json', 'registry-file': 'cat.json' })
    expect(result.errors).toEqual([])
    expect(result.deprecations).toHaveLength(1)
  })

  test('given with catalogue-file naming another file: ERR_INVALID_INPUT with the other bad inputs, before anything starts', async () => {
    const result = await run({ 'catalogue-file': 'other.json', 'registry-file': 'cat.json', 'modal-environment': 'en-x' })
    expect(result.errors).toEqual(['ERR_INVALID_INPUT', 'ERR_INVALID_ENVIRONMENT'])
    expect(result.error).toContain("catalogue-file 'other.json' and registry-file 'cat.json' name different processor catalogues")
    expect(result.modal.sessionsStarted).toBe(0)
  })

  test('the report file may replace neither catalogue a refused run names', async () => {
    const cases: Record<string, string>[] = [
      { 'registry-file': 'cat.json' },
      { 'catalogue-file': 'other.json', 'registry-file': 'cat.json' },
    ]
    for (const inputs of cases) {
      const result = await run({ ...inputs, 'report-file': 'cat.json' })
      expect(result.errors).toContain('ERR_INVALID_INPUT')
      expect(result.error).toContain("report-file 'cat.json' is the processor catalogue (registry-file)")
      expect(JSON.parse(readFileSync(path.join(result.dir, 'cat.json'), 'utf8'))).toHaveProperty(['processors', 'llm/litellm@1'])
      expect(readdirSync(result.dir)).toEqual(['cat.json'])
    }
  })
})
