// Property-based tests over the user-facing inputs: whatever a workflow passes, parsing either accepts a value that
// is safe to use in Modal names, tags and argument lists, or rejects it with a clear, titled error. Never a throw.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { ERROR_CATALOG } from '../../src/rules/errors.js'
import { parseInputs } from '../../src/flow/inputs.js'
import { isValidDeployTag, isValidModalAppName, isValidModalEnvironmentName } from '../../src/rules/naming.js'
import { defaultDeployTag } from '../../src/rules/rollout.js'
import { INPUT_NAMES, type RawInputs } from '../../src/rules/settings.js'

const GOOD: RawInputs = {
  ...(Object.fromEntries(INPUT_NAMES.map((name) => [name, ''])) as RawInputs),
  'processor-ref': 'llm/litellm@1',
  'image-ref': 'ghcr.io/acme/llm-litellm:1@sha256:' + 'ab'.repeat(32),
  'modal-environment': 'dev',
}

// Text that could hurt if it reached a shell, a workflow command, or a Modal name unchecked.
const DANGEROUS = /[\s;&|$`'"\\<>(){}*?!#~]|::|[^\x21-\x7e]/

const hostile = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.constantFrom('::error::x', '$(id)', '`id`', 'a;b', 'a\nb', 'é', '\u202e', '--help', ''.padEnd(5000, 'a')),
  fc.tuple(fc.constantFrom('llm/', 'ghcr.io/acme/', 'dev', 'OPENAI_API_KEY'), fc.string({ maxLength: 30 })).map(([a, b]) => a + b),
)

function outcome(overrides: Partial<RawInputs>) {
  return parseInputs({ ...GOOD, ...overrides })
}

describe.each(['processor-ref', 'image-ref', 'modal-environment', 'tool-secrets', 'smoke-inputs'] as const)('%s', (input) => {
  test('parsing never throws; a rejection is a known code with a message naming the problem', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const parsed = outcome({ [input]: value })
        if (!parsed.ok) {
          for (const error of parsed.errors) {
            expect(Object.keys(ERROR_CATALOG)).toContain(error.code)
            expect(error.message.length).toBeGreaterThan(15)
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('accepted values are safe', () => {
  test('processor refs give valid app names and safe text', () => {
    fc.assert(
      fc.property(hostile, (ref) => {
        const parsed = outcome({ 'processor-ref': ref })
        if (!parsed.ok) return
        expect(isValidModalAppName(parsed.settings.appName)).toBe(true)
        expect(parsed.settings.processorRef).not.toMatch(DANGEROUS)
      }),
      { numRuns: 500 },
    )
  })

  test('generated well-formed refs are always accepted and named within 64 characters', () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/)
    const ref = fc
      .tuple(word, fc.array(word, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 9999 }))
      .filter(([ns, parts]) => ns.length <= 24 && parts.join('-').length <= 32)
      .map(([ns, parts, major]) => `${ns}/${parts.join('-')}@${major}`)
    fc.assert(
      fc.property(ref, (value) => {
        const parsed = outcome({ 'processor-ref': value })
        expect(parsed.ok).toBe(true)
        if (parsed.ok) expect(parsed.settings.appName.length).toBeLessThanOrEqual(64)
      }),
    )
  })

  test('well-formed image refs and environments, with hostile text spliced in, are accepted only when still safe', () => {
    const lower = fc.stringMatching(/^[a-z0-9]{1,10}$/)
    const goodImage = fc
      .tuple(
        fc.constantFrom('ghcr.io', 'registry.example.com:5000', 'localhost'),
        lower,
        lower,
        fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/)),
      )
      .map(([host, org, name, tag]) => `${host}/${org}/${name}${tag ? `:${tag}` : ''}@sha256:${'0123456789abcdef'.repeat(4)}`)
    const goodEnvironment = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,40}$/).filter((e) => !/^en-/i.test(e))
    const splice = (base: fc.Arbitrary<string>) =>
      fc
        .tuple(base, fc.nat(), fc.constantFrom('', ';', '$(id)', '\n', '::', ' ', 'é', '`', '"', '|'))
        .map(([b, at, bad]) => b.slice(0, at % (b.length + 1)) + bad + b.slice(at % (b.length + 1)))
    fc.assert(
      fc.property(goodImage, goodEnvironment, (image, environment) => {
        expect(outcome({ 'image-ref': image, 'modal-environment': environment }).ok).toBe(true)
      }),
    )
    fc.assert(
      fc.property(splice(goodImage), splice(goodEnvironment), (image, environment) => {
        const byImage = outcome({ 'image-ref': image })
        if (byImage.ok) expect(byImage.settings.imageRef).not.toMatch(DANGEROUS)
        const byEnv = outcome({ 'modal-environment': environment })
        if (byEnv.ok) expect(byEnv.settings.environment).not.toMatch(DANGEROUS)
      }),
      { numRuns: 500 },
    )
  })

  test('environments, secret names and image refs that pass contain nothing dangerous', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (env, secrets, image) => {
        const byEnv = outcome({ 'modal-environment': env })
        if (byEnv.ok) {
          expect(isValidModalEnvironmentName(byEnv.settings.environment)).toBe(true)
          expect(byEnv.settings.environment).not.toMatch(DANGEROUS)
        }
        const bySecrets = outcome({ 'tool-secrets': secrets })
        if (bySecrets.ok) for (const s of bySecrets.settings.toolSecrets) expect(s.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/)
        const byImage = outcome({ 'image-ref': image })
        if (byImage.ok) expect(byImage.settings.imageRef).not.toMatch(DANGEROUS)
      }),
      { numRuns: 500 },
    )
  })

  test('the default deploy tag satisfies Modal’s tag rule whatever the runner variables hold', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (sha, run, attempt) => {
        const tag = defaultDeployTag({ GITHUB_SHA: sha, GITHUB_RUN_ID: run, GITHUB_RUN_ATTEMPT: attempt }, new Date(0))
        expect(isValidDeployTag(tag)).toBe(true)
      }),
    )
  })
})

describe('named nasty inputs (regression corpus)', () => {
  const corpus: { name: string; input: keyof RawInputs; value: string }[] = JSON.parse(
    readFileSync(new URL('../fixtures/nasty-inputs.json', import.meta.url), 'utf8'),
  )
  test.each(corpus)('$name is rejected with a clear message', ({ input, value }) => {
    const parsed = outcome({ [input]: value })
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.errors[0].message).toMatch(new RegExp(input.replace('-', '.') + '|processor ref|image-ref', 'i'))
  })
})
