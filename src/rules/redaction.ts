// Secret values never reach what the action writes: every form in which a known value could appear is replaced,
// before anything is cut short (a cut must not leave half a secret behind) and before control characters are made
// visible (a value with an ESC in it is found as it was given).
import { lines, safeJson } from './untrusted-text.js'

/** Shorter values are not treated as secrets: too short to be a key, and common enough to mangle ordinary text. */
export const MIN_SECRET_LENGTH = 8

/** A JSON value is searched for its string leaves only up to this size, and a value gives at most this many forms. */
const MAX_JSON_SECRET_BYTES = 64 * 1024
const MAX_FORMS = 512

/**
 * The forms a value takes in text: as given, without surrounding whitespace, and escaped inside JSON; for a value of
 * several lines (a PEM key, a pretty-printed JSON credential) each line of it too, since logs and streams carry text
 * line by line (the runner masks a multi-line secret line by line for the same reason). A JSON credential is also
 * found re-serialised (compact) and by each of its string leaves and their lines (a `private_key` whose lines are only
 * JSON-escaped inside the credential), since a module may parse it and print a part.
 */
export function secretForms(value: string): string[] {
  const forms = new Set<string>()
  const add = (form: string) => {
    if (form.length < MIN_SECRET_LENGTH || forms.size >= MAX_FORMS) return
    forms.add(form)
    forms.add(JSON.stringify(form).slice(1, -1))
    forms.add(safeJson(form).slice(1, -1))
  }
  const withLines = (text: string) => [text, text.trim(), ...(lines(text).length > 1 ? lines(text).map((line) => line.trim()) : [])]
  withLines(value).forEach(add)
  const parsed = jsonContainer(value)
  if (parsed !== null) {
    add(compactJson(parsed))
    for (const leaf of stringLeaves(parsed)) withLines(leaf).forEach(add)
  }
  return [...forms]
}

/** The value parsed, when it is a JSON object or array of a size worth searching; null otherwise. */
function jsonContainer(value: string): object | null {
  if (value.length > MAX_JSON_SECRET_BYTES || !/^\s*[[{]/.test(value)) return null
  try {
    const parsed: unknown = JSON.parse(value)
    return typeof parsed === 'object' && parsed !== null ? parsed : null
  } catch {
    return null
  }
}

/** The value re-serialised without spaces; empty when it nests too deep for JSON.stringify's stack. */
function compactJson(parsed: object): string {
  try {
    return JSON.stringify(parsed)
  } catch {
    return ''
  }
}

/** Every string value inside a parsed JSON value (not its keys: a key names a field, it is not secret). */
function stringLeaves(root: object): string[] {
  const leaves: string[] = []
  const pending: unknown[] = [root]
  while (pending.length > 0) {
    const item = pending.pop()
    if (typeof item === 'string') leaves.push(item)
    else if (typeof item === 'object' && item !== null) pending.push(...Object.values(item).reverse())
  }
  return leaves
}

/** Replaces every form of every value with ***, longest first (so a value inside another is not half-replaced). */
export function redactor(values: string[]): (text: string) => string {
  const forms = [...new Set(values.flatMap(secretForms))].sort((a, b) => b.length - a.length)
  return (text) => forms.reduce((out, form) => out.split(form).join('***'), text)
}

/** A JSON value with every string in it (keys too) redacted: before it is serialised and cut to size. */
export function redactValue(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value)
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactValue(item, redact)]))
  }
  return value
}
