import { DEFAULT_SMOKE_PARAMS, parseInputs } from '../../src/flow/inputs.js'
import { parseToolSecrets } from '../../src/rules/secrets-policy.js'
import { INPUT_NAMES, type RawInputs } from '../../src/rules/settings.js'

const IMAGE = 'ghcr.io/acme/llm-litellm:1@sha256:' + 'cd'.repeat(32)

function raw(overrides: Partial<RawInputs> = {}): RawInputs {
  const blank = Object.fromEntries(INPUT_NAMES.map((name) => [name, ''])) as RawInputs
  return { ...blank, 'processor-ref': 'llm/litellm@1', 'image-ref': IMAGE, 'modal-environment': 'dev', ...overrides }
}

function errorsOf(overrides: Partial<RawInputs>) {
  const parsed = parseInputs(raw(overrides))
  if (parsed.ok) throw new Error('expected a validation failure')
  return parsed.errors.map((e) => ({ code: e.code, message: e.message }))
}

describe('parseInputs', () => {
  test('derives the app name and applies defaults', () => {
    const parsed = parseInputs(raw())
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.settings).toMatchObject({
      appName: 'llm-litellm-v1',
      environment: 'dev',
      mode: 'mock',
      deploy: true,
      toolSecrets: [],
      smokeParams: DEFAULT_SMOKE_PARAMS,
      moduleDir: null,
      deployTag: null,
      imageVisibility: 'auto',
      timeouts: { preflight: 120, deploy: 1200, smoke: 300 },
    })
    expect(parsed.settings.image.digest).toBe('sha256:' + 'cd'.repeat(32))
  })

  test('reports every bad input at once, each with its own code', () => {
    const errors = errorsOf({
      'processor-ref': 'LLM/litellm@1',
      'image-ref': 'ghcr.io/acme/img:latest',
      'modal-environment': 'en-dev',
      mode: 'live',
      'tool-secrets': 'OPENAI-KEY',
      'smoke-inputs': '{nope',
      deploy: 'yes',
      'smoke-timeout': '0',
    })
    expect(errors.map((e) => e.code)).toEqual([
      'ERR_INVALID_PROCESSOR_REF',
      'ERR_UNPINNED_IMAGE',
      'ERR_INVALID_ENVIRONMENT',
      'ERR_INVALID_INPUT',
      'ERR_INVALID_TOOL_SECRETS',
      'ERR_INVALID_SMOKE_INPUTS',
      'ERR_INVALID_INPUT',
      'ERR_INVALID_INPUT',
    ])
    expect(errors[0].message).toContain('e.g. llm/litellm@1')
    expect(errors[3].message).toBe("mode must be 'mock' or 'real', got 'live'.")
    expect(errors[6].message).toBe("deploy must be true or false, got 'yes'.")
  })

  test('an app-name override must be a valid Modal app name', () => {
    expect(errorsOf({ 'app-name': 'my app' })[0].message).toContain("Invalid app-name 'my app'")
    const parsed = parseInputs(raw({ 'app-name': 'sandbox.llm_1' }))
    expect(parsed.ok && parsed.settings.appName).toBe('sandbox.llm_1')
  })

  test('smoke-inputs must be a JSON object', () => {
    expect(errorsOf({ 'smoke-inputs': '[1,2]' })[0].code).toBe('ERR_INVALID_SMOKE_INPUTS')
    expect(errorsOf({ 'smoke-inputs': 'x'.repeat(70000) })[0].message).toContain('larger than')
    const parsed = parseInputs(raw({ 'smoke-inputs': '{"prompt":"hi"}' }))
    expect(parsed.ok && parsed.settings.smokeParams).toEqual({ prompt: 'hi' })
  })

  test('environment names follow Modal rules', () => {
    for (const bad of ['.main', '_main', '-main', 'main/main', 'main:main', 'x', 'a'.repeat(65)]) {
      expect(errorsOf({ 'modal-environment': bad })[0].code).toBe('ERR_INVALID_ENVIRONMENT')
    }
    expect(parseInputs(raw({ 'modal-environment': 'main_-123.' })).ok).toBe(true)
  })

  test('deploy-tag follows the modal deploy --tag rule', () => {
    expect(errorsOf({ 'deploy-tag': 'v1 beta' })[0].message).toContain('deploy-tag')
    const parsed = parseInputs(raw({ 'deploy-tag': 'release-1.2' }))
    expect(parsed.ok && parsed.settings.deployTag).toBe('release-1.2')
  })
})

describe('parseToolSecrets', () => {
  test('splits on commas and newlines and marks optional ones', () => {
    expect(parseToolSecrets('OPENAI_API_KEY,\n LITELLM_API_BASE? \n')).toEqual({
      ok: true,
      value: [
        { name: 'OPENAI_API_KEY', optional: false },
        { name: 'LITELLM_API_BASE', optional: true },
      ],
    })
  })

  test.each(['A B', 'KEY;rm', '1KEY', '$(id)', 'KEY??', '::error::x'])('rejects %j', (entry) => {
    expect(parseToolSecrets(entry).ok).toBe(false)
  })

  test('rejects duplicates', () => {
    expect(parseToolSecrets('A,A?')).toEqual({ ok: false, error: "tool-secrets lists 'A' twice." })
  })
})
