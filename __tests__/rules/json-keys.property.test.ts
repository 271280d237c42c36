// The duplicate-key scanner against a reference: documents written with keys drawn from a small alphabet (so equal
// keys are common), each key spelled plainly or with \u escapes, at any depth, with arbitrary whitespace.
import fc from 'fast-check'
import { findKeyProblem } from '../../src/rules/json-keys.js'

const RUNS = { numRuns: 10_000 }

/** A document as a tree whose objects are lists of entries, so one object may hold a key twice. */
type Doc = { object: [string, Doc][] } | { array: Doc[] } | { scalar: string }

const KEYS = ['a', 'b', 'é', '"', '\\', 'a b', '__proto__', 'constructor', '']

/** The key's JSON string, each character plain or escaped as \uXXXX as the mask says (quote and backslash always). */
const spell = (key: string, mask: boolean[]) =>
  `"${[...key]
    .map((c, i) => (mask[i % mask.length] || c === '"' || c === '\\' ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c))
    .join('')}"`

const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n  ')
const scalar = fc.constantFrom('1', '-2.5e3', 'true', 'null', '"x"', '"{\\"a\\":1}"', '"[,]"', '"\\\\"')

const { doc } = fc.letrec<{ doc: Doc }>((tie) => ({
  doc: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar.map((s) => ({ scalar: s })),
    fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('doc')), { maxLength: 4 }).map((object) => ({ object })),
    fc.array(tie('doc'), { maxLength: 3 }).map((array) => ({ array })),
  ),
}))

/** The JSON text of a document, with whitespace and key spellings drawn from `pick`. */
function write(d: Doc, pick: () => [string, (key: string) => string]): string {
  const [ws, spell] = pick()
  if ('scalar' in d) return d.scalar
  if ('array' in d) return `[${ws}${d.array.map((item) => write(item, pick)).join(`${ws},`)}]`
  return `{${ws}${d.object.map(([key, value]) => `${spell(key)}${ws}:${ws}${write(value, pick)}`).join(`,${ws}`)}${ws}}`
}

/** The reference: a depth-first walk in document order, the same first problem the scanner must report. */
function reference(d: Doc, path: (string | number)[] = []): { path: (string | number)[]; reason: string } | null {
  if ('scalar' in d) return null
  if ('array' in d) {
    for (const [i, item] of d.array.entries()) {
      const found = reference(item, [...path, i])
      if (found) return found
    }
    return null
  }
  const seen = new Set<string>()
  for (const [key, value] of d.object) {
    if (key === '__proto__') return { path: [...path, key], reason: 'proto' }
    if (seen.has(key)) return { path: [...path, key], reason: 'duplicate' }
    seen.add(key)
    const found = reference(value, [...path, key])
    if (found) return found
  }
  return null
}

describe('findKeyProblem', () => {
  test('finds the first duplicated or __proto__ key, compared decoded, wherever it is (10k documents)', () => {
    fc.assert(
      fc.property(doc, fc.infiniteStream(fc.tuple(space, fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }))), (d, choices) => {
        const picks = choices[Symbol.iterator]()
        const pick = (): [string, (key: string) => string] => {
          const [ws, mask] = picks.next().value as [string, boolean[]]
          return [ws, (key) => spell(key, mask)]
        }
        const text = write(d, pick)
        expect(() => JSON.parse(text)).not.toThrow()
        expect(findKeyProblem(text)).toEqual(reference(d))
      }),
      RUNS,
    )
  })

  test('a document JSON.stringify wrote never has a problem (10k values)', () => {
    const noProto = fc.jsonValue().filter((value) => !JSON.stringify(value).includes('"__proto__"'))
    fc.assert(
      fc.property(noProto, (value) => {
        expect(findKeyProblem(JSON.stringify(value, null, 1))).toBeNull()
      }),
      RUNS,
    )
  })

  test.each([
    ['{"a":1,"a":2}', { path: ['a'], reason: 'duplicate' }],
    ['{"a":1,"\\u0061":2}', { path: ['a'], reason: 'duplicate' }],
    ['{"x":[{"k":1},{"k":1,"k":2}]}', { path: ['x', 1, 'k'], reason: 'duplicate' }],
    ['{"p":{"__proto__":{}}}', { path: ['p', '__proto__'], reason: 'proto' }],
    ['{"p":{"\\u005f_proto__":{}}}', { path: ['p', '__proto__'], reason: 'proto' }],
    ['{"a":"\\"a\\":1,\\"a\\"","b":{"a":1},"c":["a","a"]}', null],
    ['{"":1,"":2}', { path: [''], reason: 'duplicate' }],
  ])('%s', (text, problem) => {
    expect(findKeyProblem(text)).toEqual(problem)
  })
})
