import { catalogueSmokeTests, parseCatalogue } from '../../src/rules/catalogue.js'
import { ActionError } from '../../src/rules/errors.js'
import { INPUT_NAMES, type RawInputs } from '../../src/rules/settings.js'
import { renderSmokeTests, valueDepth, type SmokeTestRecord } from '../../src/rules/smoke-tests.js'

const IMAGE = 'ghcr.io/acme/llm-litellm:1@sha256:' + 'ab'.repeat(32)
const raw = (overrides: Partial<RawInputs> = {}): RawInputs => ({
  ...(Object.fromEntries(INPUT_NAMES.map((name) => [name, ''])) as RawInputs),
  'processor-ref': 'llm/litellm@1',
  ...overrides,
})
const catalogueText = (entry: object) => JSON.stringify({ processors: { 'llm/litellm@1': entry } })
const withTests = (smoke_tests: unknown, more: object = {}) => catalogueText({ image: { oci: IMAGE }, smoke_tests, ...more })

function refusal(text: string): ActionError {
  try {
    parseCatalogue(text, 'cat.json')
  } catch (error) {
    return error as ActionError
  }
  throw new Error('the catalogue was accepted')
}

describe('smoke_tests in the catalogue', () => {
  test('a list of named tests becomes the run’s tests, unless smoke-inputs is given', () => {
    const tests = [
      {
        name: 'greets',
        params: { messages: [{ role: 'user', content: 'hi' }] },
        expect: { choices: [{ message: { role: 'assistant' } }] },
      },
      { name: 'fast', params: {}, max_ms: 2000 },
    ]
    const catalogue = parseCatalogue(withTests(tests), 'cat.json')
    expect(catalogueSmokeTests(raw(), catalogue)).toEqual([
      { name: 'greets', params: tests[0].params, expect: tests[0].expect },
      { name: 'fast', params: {}, maxMs: 2000 },
    ])
    // smoke-inputs given to the step replaces them with its one test.
    expect(catalogueSmokeTests(raw({ 'smoke-inputs': '{"prompt":"x"}' }), catalogue)).toBeNull()
    expect(catalogueSmokeTests(raw({ 'processor-ref': 'other/ref@1' }), catalogue)).toBeNull()
    expect(catalogueSmokeTests(raw(), null)).toBeNull()
    expect(catalogueSmokeTests(raw(), parseCatalogue(catalogueText({ image: { oci: IMAGE }, smoke_inputs: { a: 1 } }), 'c'))).toBeNull()
  })

  test('an expect of any JSON value, null and false included, is kept as given', () => {
    const catalogue = parseCatalogue(withTests([{ name: 'a', params: {}, expect: { ok: false, none: null, list: [0] } }]), 'cat.json')
    expect(catalogueSmokeTests(raw(), catalogue)?.[0].expect).toEqual({ ok: false, none: null, list: [0] })
  })

  test.each([
    ['an empty list', [], /smoke_tests: list at least one test/],
    ['more than 20', Array.from({ length: 21 }, (_, i) => ({ name: `t${i}`, params: {} })), /smoke_tests: at most 20 tests/],
    [
      'a name given twice',
      [
        { name: 'a', params: {} },
        { name: 'a', params: {} },
      ],
      /smoke_tests\.1\.name: the test name a is given twice/,
    ],
    ['a name with markup', [{ name: '[x](https://e.vil)', params: {} }], /smoke_tests\.0\.name: a test name is 1 to 64 letters/],
    ['a name with a line break', [{ name: 'a\nb', params: {} }], /smoke_tests\.0\.name: /],
    ['a name too long', [{ name: 'a'.repeat(65), params: {} }], /smoke_tests\.0\.name: /],
    ['params not an object', [{ name: 'a', params: ['x'] }], /smoke_tests\.0\.params: /],
    ['params missing', [{ name: 'a' }], /smoke_tests\.0\.params: /],
    ['an unknown field', [{ name: 'a', params: {}, expected: {} }], /smoke_tests\.0: Unrecognized key: "expected"/],
    ['max_ms not whole', [{ name: 'a', params: {}, max_ms: 1.5 }], /smoke_tests\.0\.max_ms: /],
    ['max_ms zero', [{ name: 'a', params: {}, max_ms: 0 }], /smoke_tests\.0\.max_ms: /],
    ['max_ms over 6 hours', [{ name: 'a', params: {}, max_ms: 21_600_001 }], /smoke_tests\.0\.max_ms: /],
    [
      'an expect too large',
      [{ name: 'a', params: {}, expect: { s: 'x'.repeat(70_000) } }],
      /smoke_tests\.0\.expect: expect is larger than 65536 bytes/,
    ],
    [
      'params nested too deep',
      [{ name: 'a', params: { a: JSON.parse('['.repeat(40) + ']'.repeat(40)) } }],
      /params nests arrays and objects more than 32 deep/,
    ],
    ['not a list', { name: 'a', params: {} }, /smoke_tests: /],
  ])('refused with ERR_INVALID_SMOKE_TESTS, naming the field: %s', (_, tests, message) => {
    const error = refusal(withTests(tests))
    expect(error.code).toBe('ERR_INVALID_SMOKE_TESTS')
    expect(error.message).toMatch(message)
    expect(error.message).toMatch(/^cat\.json: processors\.llm\/litellm@1\.smoke_tests/)
  })

  test('smoke_tests and smoke_inputs together are refused: smoke_inputs is the one-test shorthand', () => {
    const error = refusal(withTests([{ name: 'a', params: {} }], { smoke_inputs: { a: 1 } }))
    expect(error.code).toBe('ERR_INVALID_SMOKE_TESTS')
    expect(error.message).toBe(
      'cat.json: processors.llm/litellm@1.smoke_tests: give smoke_tests or smoke_inputs, not both (smoke_inputs is the shorthand of one test)',
    )
  })

  test('a problem elsewhere in the file keeps the catalogue’s own code, and lists the smoke_tests problem too', () => {
    const error = refusal(catalogueText({ image: { oci: 'ghcr.io/a/b:1' }, smoke_tests: [] }))
    expect(error.code).toBe('ERR_INVALID_REGISTRY')
    expect(error.message).toMatch(/image\.oci/)
    expect(error.message).toMatch(/smoke_tests: list at least one test/)
  })

  test('valueDepth counts nesting without recursion', () => {
    expect(valueDepth(1)).toBe(0)
    expect(valueDepth({})).toBe(1)
    expect(valueDepth({ a: [1, { b: [] }] })).toBe(4)
    expect(valueDepth(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))).toBe(100_000)
  })
})

describe('renderSmokeTests', () => {
  test('a row per test: name, verdict, latency and why it failed, as escaped Markdown text', () => {
    const records: SmokeTestRecord[] = [
      { name: 'greets', status: 'passed', latencyMs: 812, code: null, detail: null },
      {
        name: 'shape',
        status: 'failed',
        latencyMs: 90,
        code: 'ERR_SMOKE_EXPECTATION',
        detail: 'at $.a: expected "x", got "| ![i](https://e.vil/p.png) <img> `c` **b**\n# h"',
      },
      { name: 'later', status: 'not-run', latencyMs: null, code: null, detail: null },
    ]
    const md = renderSmokeTests(records)
    expect(md.slice(0, 4)).toEqual(['### Smoke tests', '', '| Test | Verdict | Latency | Detail |', '| --- | --- | --- | --- |'])
    expect(md[4]).toBe('| greets | ✅ passed | 812 ms | — |')
    expect(md[6]).toBe('| later | ⏭️ not-run | — | — |')
    const row = md[5]
    expect(row.startsWith('| shape | ❌ failed | 90 ms | ERR_SMOKE_EXPECTATION at $.a: expected "x", got "')).toBe(true)
    // One row: no line break, no unescaped cell separator, link, image, tag, code span or emphasis.
    expect(row).not.toMatch(/\n/)
    expect(row.split(/(?<!\\)\|/)).toHaveLength(6)
    expect(row).not.toMatch(/(?<!\\)\[|<img|(?<!\\)`|(?<!\\)\*\*|https:\/\//)
    expect(renderSmokeTests([])).toEqual([])
  })
})
