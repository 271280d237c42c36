import { applyCatalogue, parseCatalogue } from '../../src/rules/catalogue.js'
import { INPUT_NAMES, type RawInputs } from '../../src/rules/settings.js'

const IMAGE = 'ghcr.io/acme/llm-litellm:1@sha256:' + 'ab'.repeat(32)
const raw = (overrides: Partial<RawInputs>): RawInputs => ({
  ...(Object.fromEntries(INPUT_NAMES.map((name) => [name, ''])) as RawInputs),
  'processor-ref': 'llm/litellm@1',
  ...overrides,
})
const catalogueText = (entry: object) => JSON.stringify({ processors: { 'llm/litellm@1': entry } })

describe('parseCatalogue', () => {
  test('reads a valid file', () => {
    const catalogue = parseCatalogue(
      catalogueText({ image: { oci: IMAGE }, tool_secrets: ['OPENAI_API_KEY', 'LITELLM_API_BASE?'] }),
      'cat.json',
    )
    expect(catalogue.processors['llm/litellm@1']).toEqual({ image: { oci: IMAGE }, tool_secrets: ['OPENAI_API_KEY', 'LITELLM_API_BASE?'] })
  })

  test.each([
    [
      'an unpinned image',
      { image: { oci: 'ghcr.io/acme/img:1' } },
      /cat\.json: processors\.llm\/litellm@1\.image\.oci: image-ref .* is not pinned by digest/,
    ],
    [
      'a bad secret name',
      { image: { oci: IMAGE }, tool_secrets: ['OPENAI-KEY'] },
      /cat\.json: processors\.llm\/litellm@1\.tool_secrets: Invalid tool-secrets entry 'OPENAI-KEY'/,
    ],
    ['a missing image', { tool_secrets: [] }, /cat\.json: processors\.llm\/litellm@1\.image: /],
    ['an unknown field', { image: { oci: IMAGE }, secrets: [] }, /cat\.json: processors\.llm\/litellm@1: Unrecognized key/],
  ])('%s is named by file and field', (_, entry, message) => {
    expect(() => parseCatalogue(catalogueText(entry), 'cat.json')).toThrow(message)
  })

  test('text that is not JSON names the file', () => {
    expect(() => parseCatalogue('{', 'cat.json')).toThrow(/^cat\.json is not valid JSON/)
  })
})

describe('applyCatalogue', () => {
  const catalogue = parseCatalogue(catalogueText({ image: { oci: IMAGE }, tool_secrets: ['OPENAI_API_KEY'] }), 'cat.json')

  test('fills what the inputs leave empty', () => {
    expect(applyCatalogue(raw({}), catalogue, 'cat.json')).toMatchObject({ 'image-ref': IMAGE, 'tool-secrets': 'OPENAI_API_KEY' })
  })

  test('explicit inputs win', () => {
    expect(applyCatalogue(raw({ 'image-ref': 'x', 'tool-secrets': 'A' }), catalogue, 'cat.json')).toMatchObject({
      'image-ref': 'x',
      'tool-secrets': 'A',
    })
  })

  test("smoke_inputs become the smoke call's params when smoke-inputs is empty; the input wins", () => {
    const own = parseCatalogue(catalogueText({ image: { oci: IMAGE }, smoke_inputs: { model: 'a/b', input: {} } }), 'cat.json')
    expect(applyCatalogue(raw({}), own, 'cat.json')['smoke-inputs']).toBe('{"model":"a/b","input":{}}')
    expect(applyCatalogue(raw({ 'smoke-inputs': '{"x":1}' }), own, 'cat.json')['smoke-inputs']).toBe('{"x":1}')
    expect(applyCatalogue(raw({}), catalogue, 'cat.json')['smoke-inputs']).toBe('')
    expect(() => parseCatalogue(catalogueText({ image: { oci: IMAGE }, smoke_inputs: ['x'] }), 'cat.json')).toThrow(
      /cat\.json: processors\.llm\/litellm@1\.smoke_inputs: /,
    )
  })

  test('a ref missing from the catalogue with no image-ref names the file and the entry', () => {
    expect(() => applyCatalogue(raw({ 'processor-ref': 'ocr/x@1' }), catalogue, 'cat.json')).toThrow(
      /^image-ref is empty and cat\.json has no entry processors\["ocr\/x@1"\]\.$/,
    )
  })

  test('a near miss names the refs it may have meant', () => {
    expect(() => applyCatalogue(raw({ 'processor-ref': 'llm/litelm@1' }), catalogue, 'cat.json')).toThrow(
      'cat.json has no entry processors["llm/litelm@1"]. Did you mean \'llm/litellm@1\'?',
    )
  })

  test('an invalid ref is left to the inputs (their error is the only one), whatever the catalogue holds', () => {
    const holding = parseCatalogue(JSON.stringify({ processors: { 'llm/litellm@v1': { image: { oci: IMAGE } } } }), 'cat.json')
    expect(applyCatalogue(raw({ 'processor-ref': 'llm/litellm@v1' }), holding, 'cat.json')['image-ref']).toBe('')
    expect(applyCatalogue(raw({ 'processor-ref': 'llm/litellm@v1' }), catalogue, 'cat.json')['image-ref']).toBe('')
    expect(applyCatalogue(raw({ 'processor-ref': 'llm/litellm@v1' }), null, 'cat.json')['image-ref']).toBe('')
  })
})
