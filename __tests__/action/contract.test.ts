// action.yml is the contract with workflows: the inputs the code reads and the outputs it sets are exactly the ones
// declared, and the README's tables are generated from it.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { readCatalogueFile } from '../../src/flow/catalogue-file.js'
import { catalogueChoice } from '../../src/flow/inputs-phase.js'
import { DEFAULT_MODAL_VERSION, DEFAULT_SMOKE_PARAMS, parseInputs } from '../../src/flow/inputs.js'
import { DEFAULT_CATALOGUE_FILE } from '../../src/rules/catalogue.js'
import { PHASES } from '../../src/rules/error-fix.js'
import { OUTPUT_NAMES } from '../../src/rules/run-report.js'
import { GENERATED, readMetadata, replaceSection } from '../support/readme-tables.js'
import { INPUT_NAMES, type InputName, type RawInputs } from '../../src/rules/settings.js'

const root = new URL('../../', import.meta.url)
const meta = readMetadata(root)
const sources = readdirSync(new URL('src/', root), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f, text: readFileSync(new URL(`src/${f}`, root), 'utf8') }))

describe('action.yml', () => {
  test('declares exactly the inputs the code reads', () => {
    expect(Object.keys(meta.inputs).sort()).toEqual([...INPUT_NAMES].sort())
  })

  test('declares exactly the outputs the code sets', () => {
    expect(Object.keys(meta.outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
  })

  test('inputs are read in one place and outputs set in one place', () => {
    const readers = sources.filter((s) => /getInput\(/.test(s.text)).map((s) => s.file)
    const setters = sources.filter((s) => /setOutput\(/.test(s.text)).map((s) => s.file)
    // The toolkit interface names both; the runner's toolkit implements them; the flow reads and sets them once
    // (the redacting toolkit passes outputs through).
    expect(readers.sort()).toEqual(['action/runner-toolkit.ts', 'flow/inputs.ts', 'flow/toolkit.ts'])
    expect(setters.sort()).toEqual(['action/runner-toolkit.ts', 'flow/publish.ts', 'flow/secret-masking.ts', 'flow/toolkit.ts'])
    expect(sources.some((s) => /process\.env\[?['"]?INPUT_/.test(s.text))).toBe(false)
  })

  test('required inputs have no default; every input and output is described', () => {
    for (const [name, spec] of Object.entries(meta.inputs)) {
      expect(spec.description.length).toBeGreaterThan(10)
      if (spec.required) expect({ name, default: spec.default }).toEqual({ name, default: undefined })
    }
    for (const spec of Object.values(meta.outputs)) expect(spec.description.length).toBeGreaterThan(10)
  })

  test('the phase output names every phase a run can report, in order', () => {
    const named = meta.outputs.phase.description.match(/[a-z-]+(?=[,.( ])/g)!.filter((word) => (PHASES as readonly string[]).includes(word))
    expect(named).toEqual([...PHASES])
  })

  test('every input is required or has a default, but the deprecated alias registry-file (so that giving it shows)', () => {
    for (const [name, spec] of Object.entries(meta.inputs))
      expect({ name, declared: spec.required === true || spec.default !== undefined }).toEqual({ name, declared: name !== 'registry-file' })
    expect(meta.inputs['registry-file'].description).toMatch(/^Deprecated alias of `catalogue-file`/)
  })

  test('runs the committed bundle on node24', () => {
    expect(meta.runs.using).toBe('node24')
    expect(existsSync(new URL(meta.runs.main, root))).toBe(true)
  })
})

// Every action.yml default is the value the code falls back to when the input is empty: a workflow that leaves an
// input out (the runner passes the default) and a CLI or test that passes nothing get the same run.
describe('action.yml defaults', () => {
  // Read apart from parseInputs, each checked below on its own terms.
  const READ_ELSEWHERE: InputName[] = ['catalogue-file', 'registry-file', 'github-token', 'report-file']
  const defaultOf = (name: InputName) => meta.inputs[name].default ?? ''
  // The required inputs, and image-ref (which the processor catalogue may give), get valid values; every other input
  // is what a workflow that leaves it out passes: action.yml's default.
  const given: RawInputs = {
    ...(Object.fromEntries(INPUT_NAMES.map((name) => [name, defaultOf(name)])) as RawInputs),
    'processor-ref': 'llm/litellm@1',
    'image-ref': `ghcr.io/acme/llm-litellm:1@sha256:${'cd'.repeat(32)}`,
    'modal-environment': 'dev',
  }
  const pinned = INPUT_NAMES.filter((name) => !READ_ELSEWHERE.includes(name) && !meta.inputs[name].required && name !== 'image-ref')
  const outcome = (raw: RawInputs) => {
    const parsed = parseInputs(raw)
    return parsed.ok ? parsed.settings : parsed.errors.map((e) => `${e.code}: ${e.message}`)
  }

  test('together are valid inputs', () => {
    expect(parseInputs(given)).toMatchObject({ ok: true })
  })

  test('cover the timeouts, mode, visibility, booleans and the client version', () => {
    expect(pinned).toEqual(
      expect.arrayContaining([
        'preflight-timeout',
        'deploy-timeout',
        'smoke-timeout',
        'mode',
        'image-visibility',
        'deploy',
        'dry-run',
        'rollback-on-failure',
        'modal-version',
      ]),
    )
  })

  test.each(pinned)('%s: the default is what the code applies to an empty input', (name) => {
    expect(outcome({ ...given, [name]: '' })).toEqual(outcome(given))
    // The input reaches the settings (or is refused): the comparison above can tell a different default.
    expect(outcome({ ...given, [name]: '%not a value%' })).not.toEqual(outcome(given))
  })

  test('catalogue-file: the default catalogue file, ignored when it does not exist', async () => {
    expect(defaultOf('catalogue-file')).toBe(DEFAULT_CATALOGUE_FILE)
    expect(await readCatalogueFile('/nonexistent/catalogue.json', defaultOf('catalogue-file'))).toBeNull()
    await expect(readCatalogueFile('/nonexistent/catalogue.json', 'other.json')).rejects.toThrow(/does not exist/)
  })

  test('registry-file: no default, so the catalogue-file default stands unless the alias is given', () => {
    expect(meta.inputs['registry-file'].default).toBeUndefined()
    expect(catalogueChoice(given)).toEqual({ ok: true, file: DEFAULT_CATALOGUE_FILE, aliasUsed: false })
  })

  test("github-token: the job's own token, filled in by the runner", () => {
    expect(defaultOf('github-token')).toBe('${{ github.token }}')
  })

  test('report-file: none written unless asked for', () => {
    expect(defaultOf('report-file').trim()).toBe('')
  })

  test('smoke-inputs and modal-version: the descriptions name the values the code applies', () => {
    expect(meta.inputs['smoke-inputs'].description).toContain(JSON.stringify(DEFAULT_SMOKE_PARAMS))
    expect(defaultOf('modal-version')).toBe(DEFAULT_MODAL_VERSION)
  })
})

describe('README', () => {
  const readmeUrl = new URL('README.md', root)
  test.each(Object.keys(GENERATED) as (keyof typeof GENERATED)[])('the %s table is generated from the source of truth', (name) => {
    const readme = readFileSync(readmeUrl, 'utf8')
    const expected = replaceSection(readme, name, GENERATED[name](meta))
    if (process.env.UPDATE_README === '1' && expected !== readme) writeFileSync(readmeUrl, expected)
    else expect(readme).toBe(expected)
  })
})
