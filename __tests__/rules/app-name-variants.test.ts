import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { candidateAppName, isValidModalAppName, previewAppName } from '../../src/rules/naming.js'

interface Variant {
  app_name: string
  pull_request: number
  preview: string
  candidate: string
  preview_candidate: string
}

// The same file drives modal/tests/test_processor_naming.py: both languages name previews and candidates alike.
const vectors: { variants: Variant[]; reject_pull_requests: number[] } = JSON.parse(
  readFileSync(new URL('../../test-vectors/app-name-variants.json', import.meta.url), 'utf8'),
)

describe('preview and candidate app names (shared vectors)', () => {
  test.each(vectors.variants)('$app_name, PR $pull_request', (v) => {
    expect(previewAppName(v.app_name, v.pull_request)).toBe(v.preview)
    expect(candidateAppName(v.app_name)).toBe(v.candidate)
    expect(candidateAppName(previewAppName(v.app_name, v.pull_request))).toBe(v.preview_candidate)
  })

  test.each(vectors.reject_pull_requests)('refuses pull request number %p', (pr) => {
    expect(() => previewAppName('llm-litellm-v1', pr)).toThrow(RangeError)
  })

  test('the vectors include names cut to fit 64 characters', () => {
    expect(vectors.variants.some((v) => v.preview.length === 64 && !v.preview.startsWith(`${v.app_name}-`))).toBe(true)
  })
})

describe('preview and candidate app names (properties)', () => {
  const appName = fc.stringMatching(/^[a-z][a-z0-9-]{0,62}$/)
  const pullRequest = fc.integer({ min: 1, max: 9_999_999_999 })

  test('always a valid Modal app name that no processor ref can produce', () => {
    fc.assert(
      fc.property(appName, pullRequest, (app, pr) => {
        for (const name of [previewAppName(app, pr), candidateAppName(app), candidateAppName(previewAppName(app, pr))]) {
          expect(isValidModalAppName(name)).toBe(true)
          expect(name).not.toMatch(/-v[0-9]+$/)
          expect(name).not.toBe(app)
        }
      }),
      { numRuns: 1000 },
    )
  })

  test('two apps or two pull requests never share a preview', () => {
    fc.assert(
      fc.property(appName, appName, pullRequest, pullRequest, (a, b, prA, prB) => {
        fc.pre(a !== b || prA !== prB)
        expect(previewAppName(a, prA)).not.toBe(previewAppName(b, prB))
      }),
      { numRuns: 1000 },
    )
  })
})
