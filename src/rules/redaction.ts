// Secret values never reach what the action writes: every form in which a known value could appear is replaced,
// before anything is cut short (a cut must not leave half a secret behind) and before control characters are made
// visible (a value with an ESC in it is found as it was given).
import { lines } from './untrusted-text.js'

/** Shorter values are not treated as secrets: too short to be a key, and common enough to mangle ordinary text. */
export const MIN_SECRET_LENGTH = 8

/**
 * The forms a value takes in text: as given, without surrounding whitespace, and escaped inside JSON; for a value of
 * several lines (a PEM key, a pretty-printed JSON credential) each line of it too, since logs and streams carry text
 * line by line (the runner masks a multi-line secret line by line for the same reason).
 */
export function secretForms(value: string): string[] {
  const forms = new Set<string>()
  const lineForms = lines(value).length > 1 ? lines(value).map((line) => line.trim()) : []
  for (const form of [value, value.trim(), ...lineForms]) {
    if (form.length < MIN_SECRET_LENGTH) continue
    forms.add(form)
    forms.add(JSON.stringify(form).slice(1, -1))
  }
  return [...forms]
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
