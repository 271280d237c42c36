// Properties of what the action and the CLI write to a log or a terminal: no control character a terminal acts on,
// no line longer than the bound, and no cut that leaves half a secret. Over generated text that mixes escape
// sequences (CSI, OSC 8 links, OSC 52 clipboard writes, C1 controls), every line break, and any Unicode.
import fc from 'fast-check'
import { redactor } from '../../src/rules/redaction.js'
import { lines, logBlock, logLine, MAX_LOG_LINE, oneLine, safeJson, visibleControls } from '../../src/rules/untrusted-text.js'
import { CONTROL } from '../support/hostile-samples.js'

const RUNS = { numRuns: 10_000 }
const PIECES = [
  '\u001b[31m',
  '\u001b[2J',
  '\u001b]8;;https://evil.example/\u0007',
  '\u001b]8;;https://evil.example/\u001b\\',
  '\u001b]52;c;cm0gLXJmIH4=\u0007',
  '\u001b]52;c;cm0gLXJmIH4=\u001b\\',
  '\u001bc',
  '\u009b31m',
  '\u009d8;;https://evil.example/\u009c',
  '\u0007',
  '\u0000',
  '\u007f',
  '\u0085',
  '\r',
  '\r\n',
  '\n',
  '\t',
  '\u2028',
  '::error::',
  'text',
  'é',
  '😀',
]
const hostileText = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8, unit: 'binary' })), { maxLength: 40 })
  .map((parts) => parts.join(''))
// Long enough to be cut at small bounds, so that the cut itself is tried at every place.
const bound = fc.integer({ min: 40, max: 200 })

// eslint-disable-next-line no-control-regex -- finding controls is the point
const ANY_CONTROL_OR_BREAK = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/

describe('visibleControls', () => {
  test('leaves no control but tab and line feed, keeps those, and changes nothing twice', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const out = visibleControls(text)
        const count = (s: string, c: string) => s.split(c).length
        return (
          !CONTROL.test(out) &&
          count(out, '\n') === count(text, '\n') &&
          count(out, '\t') === count(text, '\t') &&
          visibleControls(out) === out
        )
      }),
      RUNS,
    )
  })

  test('text without controls is left as it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const plain = text.replace(new RegExp(CONTROL.source, 'g'), '')
        return visibleControls(plain) === plain
      }),
      RUNS,
    )
  })
})

describe('logLine', () => {
  test('one line, no control, at most the bound, never half a character; a cut keeps the beginning and says the length', () => {
    fc.assert(
      fc.property(hostileText, bound, (text, max) => {
        const out = logLine(text, max)
        const whole = oneLine(text)
        const shape = lines(out).length === 1 && !ANY_CONTROL_OR_BREAK.test(out.replace(/\t/g, '')) && out.length <= max
        if (whole.length <= max) return shape && out === whole
        const note = `… (${whole.length} characters in all)`
        const head = out.slice(0, -note.length)
        return shape && out.endsWith(note) && whole.startsWith(head) && !/[\ud800-\udbff]$/.test(head)
      }),
      RUNS,
    )
  })

  test('a line of the bound is printed whole; a 20 MB line is its beginning and its length', () => {
    expect(logLine('x'.repeat(MAX_LOG_LINE))).toBe('x'.repeat(MAX_LOG_LINE))
    const cut = logLine('x'.repeat(20_000_000))
    expect(cut).toHaveLength(MAX_LOG_LINE)
    expect(cut).toMatch(/^x+… \(20000000 characters in all\)$/)
  })
})

describe('logBlock', () => {
  test('at most the lines it may show, each a bounded line without controls; what is left out is counted', () => {
    fc.assert(
      fc.property(fc.array(hostileText, { maxLength: 30 }), fc.integer({ min: 2, max: 20 }), (given, maxLines) => {
        const out = logBlock(given, maxLines)
        const all = given.flatMap(lines)
        const shape = out.every((line) => line.length <= MAX_LOG_LINE && lines(line).length === 1 && !CONTROL.test(line))
        if (all.length <= maxLines) return shape && out.length === all.length
        return shape && out.length === maxLines && out[maxLines - 1].includes(`${all.length} lines`)
      }),
      RUNS,
    )
  })
})

describe('safeJson', () => {
  test('reads back the same value, and holds no control, DEL, C1 or Unicode line separator', () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: 'small' }), fc.constantFrom(undefined, 2), (value, indent) => {
        const json = safeJson(value, indent)
        const asText = JSON.stringify(JSON.parse(json))
        return asText === JSON.stringify(value) && !CONTROL.test(json) && !/[\t\u2028\u2029]/.test(json)
      }),
      RUNS,
    )
  })
})

describe('redaction before the bound', () => {
  const secret = fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/)

  test('redacted, then cut to any bound, a log line shows no beginning of the secret', () => {
    fc.assert(
      fc.property(secret, hostileText, hostileText, bound, (value, before, after, max) => {
        const out = logLine(redactor([value])(`${before}${value}${after}`), max)
        return !out.includes(value.slice(0, 8))
      }),
      RUNS,
    )
  })
})
