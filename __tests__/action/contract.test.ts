// action.yml is the contract with workflows: the inputs the code reads and the outputs it sets are exactly the ones
// declared, and the README's tables are generated from it.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { DEFAULT_MODAL_VERSION, DEFAULT_SMOKE_PARAMS, INPUT_NAMES } from '../../src/action/inputs.js'
import { DEFAULT_CATALOGUE_FILE } from '../../src/rules/catalogue.js'
import { OUTPUT_NAMES } from '../../src/action/report.js'
import { GENERATED, readMetadata, replaceSection } from '../support/readme-tables.js'

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
    expect(readers.sort()).toEqual(['action/inputs.ts', 'action/toolkit.ts'])
    expect(setters.sort()).toEqual(['action/main.ts', 'action/toolkit.ts'])
    expect(sources.some((s) => /process\.env\[?['"]?INPUT_/.test(s.text))).toBe(false)
  })

  test('required inputs have no default; every input and output is described', () => {
    for (const [name, spec] of Object.entries(meta.inputs)) {
      expect(spec.description.length).toBeGreaterThan(10)
      if (spec.required) expect({ name, default: spec.default }).toEqual({ name, default: undefined })
    }
    for (const spec of Object.values(meta.outputs)) expect(spec.description.length).toBeGreaterThan(10)
  })

  test('input defaults the code also relies on are the same in action.yml and src/', () => {
    expect(meta.inputs['registry-file'].default).toBe(DEFAULT_CATALOGUE_FILE)
    expect(meta.inputs['modal-version'].default).toBe(DEFAULT_MODAL_VERSION)
    expect(meta.inputs['smoke-inputs'].description).toContain(JSON.stringify(DEFAULT_SMOKE_PARAMS))
  })

  test('runs the committed bundle on node24', () => {
    expect(meta.runs.using).toBe('node24')
    expect(existsSync(new URL(meta.runs.main, root))).toBe(true)
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
