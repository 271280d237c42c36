// What a person sees of hostile text in a log or a terminal, case by case, and multi-line secrets redacted line by line.
import { redactor, secretForms } from '../../src/rules/redaction.js'
import { logBlock, logLines, markdownFence, markdownText, oneLine, safeJson, visibleControls } from '../../src/rules/untrusted-text.js'

describe('terminal control sequences are shown, never acted on', () => {
  test.each([
    ['a CSI colour and a screen clear', '\u001b[31mred\u001b[0m\u001b[2J', '␛[31mred␛[0m␛[2J'],
    [
      'an OSC 8 hyperlink ended by ST',
      '\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\',
      '␛]8;;https://evil.example/␛\\click␛]8;;␛\\',
    ],
    [
      'an OSC 8 hyperlink ended by BEL',
      '\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007',
      '␛]8;;https://evil.example/␇click␛]8;;␇',
    ],
    ['an OSC 52 clipboard write ended by BEL', '\u001b]52;c;cm0gLXJmIH4=\u0007', '␛]52;c;cm0gLXJmIH4=␇'],
    ['an OSC 52 clipboard write ended by ST', '\u001b]52;c;cm0gLXJmIH4=\u001b\\', '␛]52;c;cm0gLXJmIH4=␛\\'],
    ['C1 controls: CSI, OSC, ST as their ␛ sequences', '\u009b31m\u009d8;;x\u009c', '␛[31m␛]8;;x␛\\'],
    ['a lone BEL, NUL, backspace and DEL', 'ding\u0007\u0000\u0008\u007f', 'ding␇␀␈␡'],
    ['another ESC sequence (full reset)', '\u001bc', '␛c'],
  ])('%s', (_, hostile, shown) => {
    expect(visibleControls(hostile)).toBe(shown)
    expect(logLines(`before ${hostile} after`)).toEqual([`before ${shown} after`])
  })

  test('a bare CR starts a line of its own: it cannot overwrite what the line said', () => {
    expect(logLines('deploy ok\rdeploy FAILED')).toEqual(['deploy ok', 'deploy FAILED'])
    expect(oneLine('deploy ok\rdeploy FAILED')).toBe('deploy ok ⏎ deploy FAILED')
  })

  test('tab stays; NEL and the Unicode separators break lines like LF', () => {
    expect(logLines('a\tb\u0085c\u2028d\u2029e')).toEqual(['a\tb', 'c', 'd', 'e'])
  })

  test('the summary: a cell and a code block show controls, never pass them on', () => {
    expect(markdownText('\u001b]8;;https://evil.example/\u0007x')).toBe('␛\\]8;;https\\://evil.example/␇x')
    expect(markdownFence('\u001b[31mred\u009b0m')).toEqual(['```text', '␛[31mred␛[0m', '```'])
  })

  test('JSON for a terminal escapes what JSON.stringify leaves: DEL, C1, line separators', () => {
    const value = { text: '\u001b[31m\u009b2J\u007f\u2028' }
    expect(safeJson(value)).toBe('{"text":"\\u001b[31m\\u009b2J\\u007f\\u2028"}')
    expect(JSON.parse(safeJson(value))).toEqual(value)
  })
})

describe('a large answer in the log', () => {
  test('an answer of 40,000 lines is its first lines and its size', () => {
    const answer = JSON.stringify({ rows: Array.from({ length: 40_000 }, (_, i) => `row ${i} ${'x'.repeat(40)}`) }, null, 2)
    const block = logBlock(answer.split('\n'), 100)
    expect(block).toHaveLength(100)
    expect(block[0]).toBe('{')
    const count = answer.split('\n').length
    expect(block[99]).toBe(`… (${count - 99} more lines; ${count} lines, ${answer.length} characters in all)`)
  })
})

const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
  'NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ',
  'ab1=',
  '-----END PRIVATE KEY-----',
].join('\n')

const CREDENTIAL = JSON.stringify(
  {
    type: 'service_account',
    project_id: 'acme-prod',
    private_key_id: '3f1c2b9a8e7d6c5b4a39281706f5e4d3c2b1a098',
    client_email: 'deployer@acme-prod.iam.gserviceaccount.com',
  },
  null,
  2,
)

/** The lines of a value that are secrets on their own: 8 characters or more, without surrounding whitespace. */
const secretLines = (value: string) =>
  value
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 8)

describe('a multi-line secret is redacted line by line', () => {
  test.each([
    ['a PEM private key', PEM],
    ['a pretty-printed JSON credential', CREDENTIAL],
  ])('%s: each line of 8+ characters is a form of its own, also when printed one line at a time', (_, secret) => {
    const forms = secretForms(secret)
    for (const line of secretLines(secret)) expect(forms).toContain(line)
    const redact = redactor([secret])
    // A module that prints the value line by line, indented, as a stream hands it over.
    const printed = secret.split('\n').map((line) => `    ${line}  `)
    const shown = printed.map(redact).join('\n')
    for (const line of secretLines(secret)) expect(shown).not.toContain(line)
    // Escaped inside JSON too (a processor's answer), line by line.
    expect(redact(JSON.stringify({ key: secret.split('\n')[1].trim() }))).toBe('{"key":"***"}')
  })

  test('a short line of a key (its padding, a brace) is not a secret: ordinary text keeps it', () => {
    expect(secretForms(PEM)).not.toContain('ab1=')
    expect(redactor([CREDENTIAL])('{\n}')).toBe('{\n}')
  })

  test('a value with an ESC in it is redacted as given, before its controls are made visible', () => {
    const secret = 'tok\u001b[8mhidden-part-1234'
    expect(oneLine(redactor([secret])(`key=${secret}`))).toBe('key=***')
  })
})
