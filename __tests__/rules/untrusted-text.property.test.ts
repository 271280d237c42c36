// Properties of the sanitisers and of the redaction, over generated text that mixes every line break a reader may
// honour, workflow-command prefixes, Markdown and HTML, and secret values with surrounding whitespace.
import fc from 'fast-check'
import { MIN_SECRET_LENGTH, redactor } from '../../src/rules/redaction.js'
import { lines, markdownFence, markdownText, oneLine } from '../../src/rules/untrusted-text.js'

const RUNS = { numRuns: 10_000 }
const PIECES = [
  '\r\n',
  '\n',
  '\r',
  '\u2028',
  '\u2029',
  '\u0085',
  '::',
  '::error::',
  '# ',
  '[x](https://evil)',
  '![i](y)',
  '<img src=x>',
  '|',
  '`',
  '```',
  '````',
  '*',
  '_',
  '~',
  '\\',
  'https://a.b',
  'www.evil.example',
  'a@b.example',
  '@',
  '@octocat',
  '#',
  '12',
  'GH-',
  ' ',
  'text',
  'é',
  '✓',
]
const hostileText = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 5 })), { maxLength: 30 })
  .map((parts) => parts.join(''))

describe('oneLine', () => {
  test('leaves no line break of any kind', () => {
    fc.assert(
      fc.property(hostileText, (text) => lines(oneLine(text)).length === 1),
      RUNS,
    )
  })
})

describe('markdownText', () => {
  test('one line, with no markup left unescaped: no tag, link, code span, emphasis, table cell or autolink', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const out = markdownText(text)
        // An escaped character stands in place, so that removing it cannot join its neighbours into new markup.
        const unescaped = out.replace(/\\[\\`*_[\]|~:]/g, '\0')
        return (
          lines(out).length === 1 &&
          !/[<>`*_[\]|~\\]/.test(unescaped) &&
          !/:\/\//.test(unescaped) &&
          !/www\./i.test(unescaped) &&
          !/@[a-z0-9_-]+\.[a-z0-9]/i.test(unescaped) &&
          !/(^|[^a-z0-9])@[a-z0-9]/i.test(unescaped) &&
          !/#\d|\bGH-\d/i.test(unescaped)
        )
      }),
      RUNS,
    )
  })

  test('an escaped colon next to a plain one reads as text, not as a scheme separator', () => {
    expect(markdownText(':://')).toBe(':\\://')
    expect(markdownText('https://evil')).toBe('https\\://evil')
    expect(markdownText('WWW.evil.example a@b.example llm/litellm@1')).toBe('WWW\u200b.evil.example a@\u200bb.example llm/litellm@1')
  })

  test('mentions no one and references no issue: GitHub would notify them from a comment', () => {
    expect(markdownText('ping @octocat (@acme/team) about #12, acme/repo#3 and GH-7')).toBe(
      'ping @\u200boctocat (@\u200bacme/team) about #\u200b12, acme/repo#\u200b3 and GH-\u200b7',
    )
    expect(markdownText('llm/litellm@1 stays as it is; so does step #a')).toBe('llm/litellm@1 stays as it is; so does step #a')
  })
})

describe('markdownFence', () => {
  test('no line of the text closes the fence, and every line break becomes a line of its own', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const block = markdownFence(text)
        const fence = block[0].replace(/text$/, '')
        const body = block.slice(1, -1)
        return block.at(-1) === fence && body.every((line) => !line.trimStart().startsWith(fence)) && body.length === lines(text).length
      }),
      RUNS,
    )
  })
})

describe('redactor', () => {
  const secret = fc
    .tuple(
      fc.constantFrom('', ' ', '\n', '\r\n', '\t '),
      fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/),
      fc.constantFrom('', '\n', ' \n', '\r\n'),
    )
    .map(([before, core, after]) => ({ given: `${before}${core}${after}`, core }))

  test('no form of a secret value survives: as given, trimmed, or escaped inside JSON, wherever it stands', () => {
    fc.assert(
      fc.property(secret, hostileText, hostileText, ({ given, core }, before, after) => {
        const redact = redactor([given])
        const forms = [given, core, JSON.stringify(given).slice(1, -1)].filter((form) => form.trim().length >= MIN_SECRET_LENGTH)
        return forms.every((form) => !redact(`${before}${form}${after}`).includes(core))
      }),
      RUNS,
    )
  })

  test('values too short to be secrets are left alone', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: MIN_SECRET_LENGTH - 1 }), hostileText, (short, text) => redactor([short])(text) === text),
      RUNS,
    )
  })
})
