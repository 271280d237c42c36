import { INPUT_NAMES, type RawInputs } from '../../src/action/inputs.js'
import { applyRegistry, parseRegistry } from '../../src/rules/catalogue.js'

const IMAGE = 'ghcr.io/acme/llm-litellm:1@sha256:' + 'ab'.repeat(32)
const raw = (overrides: Partial<RawInputs>): RawInputs => ({
  ...(Object.fromEntries(INPUT_NAMES.map((name) => [name, ''])) as RawInputs),
  'processor-ref': 'llm/litellm@1',
  ...overrides,
})
const registryText = (entry: object) => JSON.stringify({ processors: { 'llm/litellm@1': entry } })

describe('parseRegistry', () => {
  test('reads a valid file', () => {
    const registry = parseRegistry(
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
    expect(() => parseRegistry(registryText(entry), 'reg.json')).toThrow(message)
  })

  test('text that is not JSON names the file', () => {
    expect(() => parseRegistry('{', 'reg.json')).toThrow(/^reg\.json is not valid JSON/)
  })
})

describe('applyRegistry', () => {
  const registry = parseRegistry(registryText({ image: { oci: IMAGE }, tool_secrets: ['OPENAI_API_KEY'] }), 'reg.json')

  test('fills what the inputs leave empty', () => {
    expect(applyRegistry(raw({}), registry, 'reg.json')).toMatchObject({ 'image-ref': IMAGE, 'tool-secrets': 'OPENAI_API_KEY' })
  })

  test('explicit inputs win', () => {
    expect(applyRegistry(raw({ 'image-ref': 'x', 'tool-secrets': 'A' }), registry, 'reg.json')).toMatchObject({
      'image-ref': 'x',
      'tool-secrets': 'A',
    })
  })

  test('a ref missing from the registry with no image-ref names the file and the entry', () => {
    expect(() => applyRegistry(raw({ 'processor-ref': 'ocr/x@1' }), registry, 'reg.json')).toThrow(
      'reg.json has no entry processors["ocr/x@1"]',
    )
  })
})
