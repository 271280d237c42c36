import { applyCatalogue, parseCatalogue } from '../../src/rules/catalogue.js'
import { INPUT_NAMES, type RawInputs } from '../../src/rules/settings.js'

const IMAGE = 'ghcr.io/acme/llm-litellm:1@sha256:' + 'ab'.repeat(32)
const raw = (overrides: Partial<RawInputs>): RawInputs => ({
  ...(Object.fromEntries(INPUT_NAMES.map((name) => [name, ''])) as RawInputs),
  'processor-ref': 'llm/litellm@1',
  ...overrides,
})
const registryText = (entry: object) => JSON.stringify({ processors: { 'llm/litellm@1': entry } })

describe('parseCatalogue', () => {
  test('reads a valid file', () => {
    const registry = parseCatalogue(
      registryText({ image: { oci: IMAGE }, tool_secrets: ['OPENAI_API_KEY', 'LITELLM_API_BASE?'] }),
      'reg.json',
    )
    expect(registry.processors['llm/litellm@1']).toEqual({ image: { oci: IMAGE }, tool_secrets: ['OPENAI_API_KEY', 'LITELLM_API_BASE?'] })
  })

  test.each([
    [
      'an unpinned image',
      { image: { oci: 'ghcr.io/acme/img:1' } },
      /reg\.json: processors\.llm\/litellm@1\.image\.oci: image-ref .* is not pinned by digest/,
    ],
    [
      'a bad secret name',
      { image: { oci: IMAGE }, tool_secrets: ['OPENAI-KEY'] },
      /reg\.json: processors\.llm\/litellm@1\.tool_secrets: Invalid tool-secrets entry 'OPENAI-KEY'/,
    ],
    ['a missing image', { tool_secrets: [] }, /reg\.json: processors\.llm\/litellm@1\.image: /],
    ['an unknown field', { image: { oci: IMAGE }, secrets: [] }, /reg\.json: processors\.llm\/litellm@1: Unrecognized key/],
  ])('%s is named by file and field', (_, entry, message) => {
    expect(() => parseCatalogue(registryText(entry), 'reg.json')).toThrow(message)
  })

  test('text that is not JSON names the file', () => {
    expect(() => parseCatalogue('{', 'reg.json')).toThrow(/^reg\.json is not valid JSON/)
  })
})

describe('applyCatalogue', () => {
  const registry = parseCatalogue(registryText({ image: { oci: IMAGE }, tool_secrets: ['OPENAI_API_KEY'] }), 'reg.json')

  test('fills what the inputs leave empty', () => {
    expect(applyCatalogue(raw({}), registry, 'reg.json')).toMatchObject({ 'image-ref': IMAGE, 'tool-secrets': 'OPENAI_API_KEY' })
  })

  test('explicit inputs win', () => {
    expect(applyCatalogue(raw({ 'image-ref': 'x', 'tool-secrets': 'A' }), registry, 'reg.json')).toMatchObject({
      'image-ref': 'x',
      'tool-secrets': 'A',
    })
  })

  test("smoke_inputs become the smoke call's params when smoke-inputs is empty; the input wins", () => {
    const own = parseCatalogue(registryText({ image: { oci: IMAGE }, smoke_inputs: { model: 'a/b', input: {} } }), 'reg.json')
    expect(applyCatalogue(raw({}), own, 'reg.json')['smoke-inputs']).toBe('{"model":"a/b","input":{}}')
    expect(applyCatalogue(raw({ 'smoke-inputs': '{"x":1}' }), own, 'reg.json')['smoke-inputs']).toBe('{"x":1}')
    expect(applyCatalogue(raw({}), registry, 'reg.json')['smoke-inputs']).toBe('')
    expect(() => parseCatalogue(registryText({ image: { oci: IMAGE }, smoke_inputs: ['x'] }), 'reg.json')).toThrow(
      /reg\.json: processors\.llm\/litellm@1\.smoke_inputs: /,
    )
  })

  test('a ref missing from the registry with no image-ref names the file and the entry', () => {
    expect(() => applyCatalogue(raw({ 'processor-ref': 'ocr/x@1' }), registry, 'reg.json')).toThrow(
      /^image-ref is empty and reg\.json has no entry processors\["ocr\/x@1"\]\.$/,
    )
  })

  test('a near miss names the refs it may have meant', () => {
    expect(() => applyCatalogue(raw({ 'processor-ref': 'llm/litelm@1' }), registry, 'reg.json')).toThrow(
      'reg.json has no entry processors["llm/litelm@1"]. Did you mean \'llm/litellm@1\'?',
    )
  })

  test('an invalid ref is left to the inputs (their error is the only one), whatever the catalogue holds', () => {
    const holding = parseCatalogue(JSON.stringify({ processors: { 'llm/litellm@v1': { image: { oci: IMAGE } } } }), 'reg.json')
    expect(applyCatalogue(raw({ 'processor-ref': 'llm/litellm@v1' }), holding, 'reg.json')['image-ref']).toBe('')
    expect(applyCatalogue(raw({ 'processor-ref': 'llm/litellm@v1' }), registry, 'reg.json')['image-ref']).toBe('')
    expect(applyCatalogue(raw({ 'processor-ref': 'llm/litellm@v1' }), null, 'reg.json')['image-ref']).toBe('')
  })
})
