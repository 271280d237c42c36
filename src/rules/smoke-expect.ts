// A smoke test's expectation: `expect` is a JSON value the processor's output must contain. Objects match by key
// (the output may have more keys), arrays element by element from the start (the output may be longer), scalars by
// equality. The first difference is reported with its path, so a failed test says exactly what was wrong.
import { redactValue } from './redaction.js'
import { bounded, oneLine, safeJson } from './untrusted-text.js'

export type PathSegment = string | number

/** Why a value does not contain the expected one. */
export type MismatchKind = 'missing-key' | 'missing-item' | 'type' | 'value'

export interface Mismatch {
  path: PathSegment[]
  kind: MismatchKind
  expected: unknown
  /** The output's value there; undefined when it has none (a missing key or item). */
  actual: unknown
}

type JsonKind = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean' | 'other'

function kindOf(value: unknown): JsonKind {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  const type = typeof value
  return type === 'object' || type === 'string' || type === 'number' || type === 'boolean' ? type : 'other'
}

/** The first place where `actual` does not contain `expected` (depth first, in `expected`'s order), or null. */
export function findMismatch(expected: unknown, actual: unknown, path: PathSegment[] = []): Mismatch | null {
  const kind = kindOf(expected)
  if (kind !== kindOf(actual)) return { path, kind: 'type', expected, actual }
  if (kind === 'array') {
    const want = expected as unknown[]
    const got = actual as unknown[]
    for (let i = 0; i < want.length; i++) {
      if (i >= got.length) return { path: [...path, i], kind: 'missing-item', expected: want[i], actual: undefined }
      const found = findMismatch(want[i], got[i], [...path, i])
      if (found !== null) return found
    }
    return null
  }
  if (kind === 'object') {
    const want = expected as Record<string, unknown>
    const got = actual as Record<string, unknown>
    for (const key of Object.keys(want)) {
      // Own keys only: `constructor` or `__proto__` in an output are data like any other key.
      if (!Object.hasOwn(got, key)) return { path: [...path, key], kind: 'missing-key', expected: want[key], actual: undefined }
      const found = findMismatch(want[key], got[key], [...path, key])
      if (found !== null) return found
    }
    return null
  }
  return expected === actual ? null : { path, kind: 'value', expected, actual }
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A JSONPath-like text for a path: `$.choices[0].message.content`; other keys quoted as JSON (`$["a b"]`). */
export function pathText(path: PathSegment[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`
    return PLAIN_KEY.test(segment) ? `${text}.${segment}` : `${text}[${safeJson(segment)}]`
  }, '$')
}

/** How long a value may be in a mismatch line; the line is read in a log, an annotation and a summary cell. */
export const MISMATCH_VALUE_LIMIT = 200
const PATH_LIMIT = 300

/** A value for the mismatch line: secrets removed first (before any cut), then JSON, bounded, one line. */
function valueText(value: unknown, redact: (text: string) => string): string {
  if (value === undefined) return 'nothing'
  return oneLine(bounded(safeJson(redactValue(value, redact)), MISMATCH_VALUE_LIMIT))
}

/**
 * The mismatch as one line of untrusted text: bounded, with known secrets redacted, line breaks and controls shown
 * as text. Destinations escape it further (Markdown for the summary).
 */
export function renderMismatch(mismatch: Mismatch, redact: (text: string) => string): string {
  const where = oneLine(bounded(redact(pathText(mismatch.path)), PATH_LIMIT))
  const expected = valueText(mismatch.expected, redact)
  switch (mismatch.kind) {
    case 'missing-key':
      return `at ${where}: expected ${expected}, the output has no such key`
    case 'missing-item':
      return `at ${where}: expected ${expected}, the output's array ends before this item`
    case 'type':
    case 'value':
      return `at ${where}: expected ${expected}, got ${valueText(mismatch.actual, redact)}`
  }
}
