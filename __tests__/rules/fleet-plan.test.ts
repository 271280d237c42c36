import { parseCatalogue, type ProcessorCatalogue } from '../../src/rules/catalogue.js'
import { fleetMatrix, planFleet, processorDirOf, removedProcessors, unknownRefs, type FleetLayout } from '../../src/rules/fleet-plan.js'

const image = (name: string, hex = 'ab') => `ghcr.io/acme/${name}:1@sha256:${hex.repeat(32)}`
const catalogueOf = (processors: Record<string, object>): ProcessorCatalogue => parseCatalogue(JSON.stringify({ processors }), 'cat.json')

const NOW = catalogueOf({
  'llm/litellm@1': {
    image: { oci: image('llm') },
    tool_secrets: ['OPENAI_API_KEY', 'LITELLM_API_BASE?'],
    local_command: 'processors/llm/bin/processor',
  },
  'replicate/generic@1': {
    image: { oci: image('rep') },
    tool_secrets: ['REPLICATE_API_TOKEN'],
    local_command: 'processors/rep/bin/processor',
  },
  'ocr/tesseract@2': { image: { oci: image('ocr') } },
})
const LAYOUT: FleetLayout = {
  moduleDir: 'modal',
  processorDirs: new Map([
    ['llm/litellm@1', 'processors/llm'],
    ['replicate/generic@1', 'processors/rep'],
    ['ocr/tesseract@2', null],
  ]),
}
const refs = (plan: { ref: string }[]) => plan.map((p) => p.ref)

describe('planFleet', () => {
  test('without a base to compare with, every processor', () => {
    const plan = planFleet(NOW, null, LAYOUT, null)
    expect(refs(plan)).toEqual(['llm/litellm@1', 'replicate/generic@1', 'ocr/tesseract@2'])
    expect(plan[0].reason).toBe('no base to compare with')
  })

  test('nothing changed: an empty plan', () => {
    expect(planFleet(NOW, { paths: ['README.md', 'processors/llmx/a'], baseCatalogue: NOW }, LAYOUT, null)).toEqual([])
  })

  test('a changed catalogue entry selects that processor only; a new entry counts as changed', () => {
    const base = catalogueOf({
      'llm/litellm@1': { image: { oci: image('llm', 'cd') }, tool_secrets: ['OPENAI_API_KEY', 'LITELLM_API_BASE?'] },
      'ocr/tesseract@2': { image: { oci: image('ocr') } },
    })
    const plan = planFleet(NOW, { paths: ['modal-processors.json'], baseCatalogue: base }, LAYOUT, null)
    expect(plan).toEqual([
      { ref: 'llm/litellm@1', reason: 'its catalogue entry changed' },
      { ref: 'replicate/generic@1', reason: 'new in the catalogue' },
    ])
  })

  test('new smoke inputs count as a change: the deploy job smoke-tests with them', () => {
    const base = catalogueOf({ ...NOW.processors, 'ocr/tesseract@2': { image: { oci: image('ocr') }, smoke_inputs: { page: 1 } } })
    expect(refs(planFleet(NOW, { paths: ['modal-processors.json'], baseCatalogue: base }, LAYOUT, null))).toEqual(['ocr/tesseract@2'])
  })

  test('changed smoke tests count as a change too: the deploy job runs them', () => {
    const tests = (expect: object) => [{ name: 'page-one', params: { page: 1 }, expect }]
    const now = catalogueOf({ ...NOW.processors, 'ocr/tesseract@2': { image: { oci: image('ocr') }, smoke_tests: tests({ text: 'a' }) } })
    const base = catalogueOf({ ...NOW.processors, 'ocr/tesseract@2': { image: { oci: image('ocr') }, smoke_tests: tests({ text: 'b' }) } })
    expect(refs(planFleet(now, { paths: ['modal-processors.json'], baseCatalogue: base }, LAYOUT, null))).toEqual(['ocr/tesseract@2'])
    expect(refs(planFleet(now, { paths: ['modal-processors.json'], baseCatalogue: now }, LAYOUT, null))).toEqual([])
  })

  test('a changed description or secret order deploys nothing', () => {
    const base = catalogueOf({
      ...NOW.processors,
      'llm/litellm@1': {
        ...NOW.processors['llm/litellm@1'],
        tool_secrets: ['LITELLM_API_BASE?', 'OPENAI_API_KEY'],
        description: 'old words',
      },
    })
    expect(planFleet(NOW, { paths: ['modal-processors.json'], baseCatalogue: base }, LAYOUT, null)).toEqual([])
  })

  test("a change in a processor's own folder selects it; a folder whose name only starts the same does not", () => {
    const plan = planFleet(NOW, { paths: ['processors/rep/bin/processor', 'processors/llmx/README.md'], baseCatalogue: NOW }, LAYOUT, null)
    expect(plan).toEqual([{ ref: 'replicate/generic@1', reason: 'its files changed (processors/rep/)' }])
  })

  test('a change to the shared Modal module selects every processor', () => {
    const plan = planFleet(NOW, { paths: ['modal/modal_app.py'], baseCatalogue: NOW }, LAYOUT, null)
    expect(refs(plan)).toHaveLength(3)
    expect(plan.every((p) => p.reason === 'the Modal module changed (modal/)')).toBe(true)
  })

  test('a catalogue that did not exist at the base makes every processor new; one that was broken, every one changed', () => {
    expect(refs(planFleet(NOW, { paths: [], baseCatalogue: null }, LAYOUT, null))).toHaveLength(3)
    const broken = planFleet(NOW, { paths: [], baseCatalogue: 'unreadable' }, LAYOUT, null)
    expect(broken.map((p) => p.reason)).toEqual(Array(3).fill('the catalogue at the base commit could not be read'))
  })

  test('processors removed from the catalogue since the base are named, so their apps can be stopped', () => {
    const base = catalogueOf({ ...NOW.processors, 'ocr/old@1': { image: { oci: image('old') } } })
    expect(removedProcessors(NOW, { paths: [], baseCatalogue: base })).toEqual(['ocr/old@1'])
    expect(removedProcessors(NOW, null)).toEqual([])
    expect(removedProcessors(NOW, { paths: [], baseCatalogue: 'unreadable' })).toEqual([])
  })

  test('--only narrows the plan; the refs it names that the catalogue lacks are found, so that a typo is an error', () => {
    expect(refs(planFleet(NOW, null, LAYOUT, ['ocr/tesseract@2']))).toEqual(['ocr/tesseract@2'])
    expect(planFleet(NOW, { paths: ['processors/rep/x'], baseCatalogue: NOW }, LAYOUT, ['ocr/tesseract@2'])).toEqual([])
    expect(unknownRefs(NOW, ['ocr/tesseract@3', 'llm/litellm@1', 'constructor'])).toEqual(['ocr/tesseract@3', 'constructor'])
  })
})

describe('refs named like members of every JavaScript object', () => {
  const MEMBERS = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__lookupGetter__']
  const withMembers = catalogueOf(Object.fromEntries(MEMBERS.map((ref) => [ref, { image: { oci: image('m') } }])))
  const empty = catalogueOf({})

  test('are new when the base lacks them, changed only when their entry changed, and removed when gone', () => {
    const plan = planFleet(withMembers, { paths: [], baseCatalogue: empty }, { moduleDir: null, processorDirs: new Map() }, null)
    expect(plan).toEqual(MEMBERS.map((ref) => ({ ref, reason: 'new in the catalogue' })))
    expect(planFleet(withMembers, { paths: [], baseCatalogue: withMembers }, LAYOUT, null)).toEqual([])
    expect(removedProcessors(empty, { paths: [], baseCatalogue: withMembers })).toEqual(MEMBERS)
    expect(removedProcessors(withMembers, { paths: [], baseCatalogue: empty })).toEqual([])
  })

  test('are unknown to a catalogue that does not name them, and planned only when it does', () => {
    expect(unknownRefs(NOW, MEMBERS)).toEqual(MEMBERS)
    expect(unknownRefs(withMembers, MEMBERS)).toEqual([])
    expect(planFleet(NOW, null, LAYOUT, MEMBERS)).toEqual([])
  })
})

describe('processorDirOf', () => {
  test.each([
    ['processors/llm-litellm/bin/processor', 'processors/llm-litellm'],
    ['tools/ocr/run.py', 'tools/ocr'],
    ['bin/processor', ''],
    ['processor', ''],
  ])('%s → %s', (command, dir) => {
    expect(processorDirOf(command)).toBe(dir)
  })
})

describe('fleetMatrix', () => {
  test('one entry per planned processor, with the inputs the action takes', () => {
    expect(fleetMatrix(NOW, [{ ref: 'llm/litellm@1', reason: '' }], 'cat.json')).toEqual({
      include: [
        {
          'processor-ref': 'llm/litellm@1',
          'app-name': 'llm-litellm-v1',
          'image-ref': image('llm'),
          'tool-secrets': 'OPENAI_API_KEY,LITELLM_API_BASE?',
        },
      ],
    })
    expect(fleetMatrix(NOW, [], 'cat.json')).toEqual({ include: [] })
  })

  test('every ref the naming rule refuses is a catalogue error, planned or not', () => {
    const bad = catalogueOf({
      ...NOW.processors,
      'LLM/x@1': { image: { oci: image('x') } },
      'llm/litellm@01': { image: { oci: image('y') } },
    })
    expect(() => fleetMatrix(bad, [], 'cat.json')).toThrow(
      /^cat\.json: processors\.LLM\/x@1: Invalid processor ref .*\ncat\.json: processors\.llm\/litellm@01: Invalid processor ref .*leading zeros/,
    )
  })
})
