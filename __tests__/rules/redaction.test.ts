// A JSON credential given as a secret (a pretty-printed service-account key) is found however a module prints it:
// re-serialised compactly, or one decoded field (the private key, whose lines exist only JSON-escaped in the value).
import { redactor, secretForms } from '../../src/rules/redaction.js'

const KEY_LINES = [
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
  'NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ',
]
const PRIVATE_KEY = ['-----BEGIN PRIVATE KEY-----', ...KEY_LINES, '-----END PRIVATE KEY-----', ''].join('\n')
const ACCOUNT = {
  type: 'service_account',
  project_id: 'acme-prod',
  private_key_id: '3f1c2b9a8e7d6c5b4a39281706f5e4d3c2b1a098',
  private_key: PRIVATE_KEY,
  client_email: 'deployer@acme-prod.iam.gserviceaccount.com',
  scopes: ['https://www.googleapis.com/auth/cloud-platform'],
}
const CREDENTIAL = JSON.stringify(ACCOUNT, null, 2)

describe('a JSON credential as a secret', () => {
  test('printed compactly (as a module that parses and re-serialises it would), nothing of it shows', () => {
    const shown = redactor([CREDENTIAL])(`loaded credential ${JSON.stringify(ACCOUNT)}`)
    expect(shown).toBe('loaded credential ***')
  })

  test('its private key, decoded and printed line by line or whole, is redacted line by line', () => {
    const redact = redactor([CREDENTIAL])
    for (const line of KEY_LINES) expect(redact(`  ${line}`)).toBe('  ***')
    const whole = redact(`key:\n${PRIVATE_KEY}`)
    for (const line of KEY_LINES) expect(whole).not.toContain(line)
    expect(whole).not.toContain('BEGIN PRIVATE KEY')
  })

  test('each string field of 8+ characters, printed alone or inside other JSON, is redacted; short ones and keys stay', () => {
    const redact = redactor([CREDENTIAL])
    expect(redact(`email=${ACCOUNT.client_email}`)).toBe('email=***')
    expect(redact(`id ${ACCOUNT.private_key_id}`)).toBe('id ***')
    expect(redact(JSON.stringify({ scope: ACCOUNT.scopes[0] }))).not.toContain('googleapis')
    expect(redact(JSON.stringify({ key: PRIVATE_KEY }))).toBe('{"key":"***"}')
    expect(redact('fields private_key_id and client_email, region eu')).toBe('fields private_key_id and client_email, region eu')
    expect(secretForms(CREDENTIAL)).not.toContain('private_key')
  })

  test('a line separator in a field is found in its escaped JSON form too', () => {
    const secret = JSON.stringify({ token: 'abc\u2028def-secret-value' })
    expect(redactor([secret])(`{"token":"abc\\u2028def-secret-value"}`)).toBe('{"token":"***"}')
  })

  test('bounded: a huge or deeply nested value gives a bounded number of forms, at once', () => {
    const many = JSON.stringify(Array.from({ length: 5000 }, (_, i) => `leaf-value-${i}`))
    expect(secretForms(many).length).toBeLessThanOrEqual(514)
    const deep = `${'['.repeat(20000)}"deep-secret-value"${']'.repeat(20000)}`
    expect(secretForms(deep)).toContain('deep-secret-value')
    const huge = JSON.stringify({ blob: 'x'.repeat(70 * 1024), inner: 'inner-secret-value' })
    expect(secretForms(huge)).not.toContain('inner-secret-value')
    expect(redactor([huge])(`printed ${huge}`)).toBe('printed ***')
  })

  test('a value that is not JSON (or a JSON string or number) gives only its own forms', () => {
    expect(secretForms('{not json but a secret')).toEqual(['{not json but a secret'])
    expect(secretForms('"quoted-secret-value"')).toEqual(['"quoted-secret-value"', '\\"quoted-secret-value\\"'])
  })
})
