// The expectation match against its definition: a value always contains itself and every sub-structure made by
// dropping keys or cutting arrays short; changing one leaf is reported at exactly that leaf's path. And the mismatch
// line is always one bounded line without the secret it may quote.
import fc from 'fast-check'
import { findMismatch, renderMismatch, type PathSegment } from '../../src/rules/smoke-expect.js'
import { redactor } from '../../src/rules/redaction.js'
import { lines } from '../../src/rules/untrusted-text.js'

const RUNS = { numRuns: 2_000 }

const json = fc.jsonValue({ maxDepth: 4 })

/** A part of `value`: some keys dropped, arrays cut short (never reordered), as the stream of choices says. */
function prune(value: unknown, choices: Iterator<number>): unknown {
  const next = () => choices.next().value as number
  if (Array.isArray(value)) {
    const keep = next() % (value.length + 1)
    return value.slice(0, keep).map((item) => prune(item, choices))
  }
  if (typeof value === 'object' && value !== null) {
    const kept = Object.entries(value).filter(() => next() % 3 !== 0)
    return Object.fromEntries(kept.map(([key, item]) => [key, prune(item, choices)]))
  }
  return value
}

/** Every scalar leaf of a value, with its path. */
function leaves(value: unknown, path: PathSegment[] = []): { path: PathSegment[]; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, [...path, i]))
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]))
  return [{ path, value }]
}

/** A different scalar in place of a leaf. */
function changed(leaf: unknown): unknown {
  if (typeof leaf === 'string') return `${leaf}x`
  if (typeof leaf === 'number') return leaf === 0 ? 1 : -leaf
  if (typeof leaf === 'boolean') return !leaf
  return 0 // null
}

function replaceAt(value: unknown, path: PathSegment[], replacement: unknown): unknown {
  if (path.length === 0) return replacement
  const [head, ...rest] = path
  if (Array.isArray(value)) return value.map((item, i) => (i === head ? replaceAt(item, rest, replacement) : item))
  return Object.fromEntries(
    Object.entries(value as object).map(([key, item]) => [key, key === head ? replaceAt(item, rest, replacement) : item]),
  )
}

describe('findMismatch (property)', () => {
  test('a value always contains itself, and a copy of itself', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(findMismatch(value, value)).toBeNull()
        expect(findMismatch(value, JSON.parse(JSON.stringify(value)))).toBeNull()
      }),
      RUNS,
    )
  })

  test('a value contains every part of it made by dropping keys and cutting arrays short', () => {
    fc.assert(
      fc.property(json, fc.infiniteStream(fc.nat({ max: 1000 })), (value, choices) => {
        expect(findMismatch(prune(value, choices[Symbol.iterator]()), value)).toBeNull()
      }),
      RUNS,
    )
  })

  test('changing one leaf of the expectation is a mismatch at exactly that path', () => {
    const withLeaf = json
      .filter((value) => leaves(value).length > 0)
      .chain((value) => fc.record({ value: fc.constant(value), leaf: fc.constantFrom(...leaves(value)) }))
    fc.assert(
      fc.property(withLeaf, ({ value, leaf }) => {
        const expected = replaceAt(value, leaf.path, changed(leaf.value))
        const mismatch = findMismatch(expected, value)
        expect(mismatch).not.toBeNull()
        expect(mismatch!.path).toEqual(leaf.path)
        expect(mismatch!.actual).toBe(leaf.value)
      }),
      RUNS,
    )
  })

  test('the mismatch line is one line, bounded, and never shows the secret', () => {
    const secret = 'sk-live-0123456789abcdef'
    const redact = redactor([secret])
    const small = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([1]))
    const withSecret = fc
      .tuple(small, fc.string({ unit: 'binary', maxLength: 40 }), fc.nat({ max: 600 }))
      .map(([value, noise, repeat]) => ({
        expected: { key: value },
        actual: { key: `${noise}${secret}${'\u2028\n\u001b'.repeat(repeat % 7)}${'y'.repeat(repeat)}${secret}` },
      }))
    fc.assert(
      fc.property(withSecret, ({ expected, actual }) => {
        const mismatch = findMismatch(expected, actual)
        if (mismatch === null) return
        const text = renderMismatch(mismatch, redact)
        expect(lines(text)).toHaveLength(1)
        expect(text).not.toContain(secret)
        // eslint-disable-next-line no-control-regex -- finding controls is the point
        expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
        expect(text.length).toBeLessThan(1200)
      }),
      RUNS,
    )
  })
})
