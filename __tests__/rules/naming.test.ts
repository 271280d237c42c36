import { readFileSync } from 'node:fs'
import { isValidModalAppName, modalAppNameFromRef, parseProcessorRef } from '../../src/rules/naming.js'

interface Vectors {
  accept: { ref: string; app_name: string }[]
  reject: { ref: string; reason: string }[]
}

// The same file drives modal/tests/test_processor_naming.py: both languages must agree on every vector.
const vectors: Vectors = JSON.parse(readFileSync(new URL('../../test-vectors/app-names.json', import.meta.url), 'utf8'))

describe('modalAppNameFromRef (shared vectors)', () => {
  test.each(vectors.accept)('$ref → $app_name', ({ ref, app_name }) => {
    expect(modalAppNameFromRef(ref)).toEqual({ ok: true, value: app_name })
    expect(isValidModalAppName(app_name)).toBe(true)
  })

  test.each(vectors.reject)('rejects %j', ({ ref, reason }) => {
    expect(modalAppNameFromRef(ref)).toEqual({
      ok: false,
      error: `Invalid processor ref '${ref}': ${reason}. Expected <namespace>/<name>@<major>, e.g. llm/litellm@1.`,
    })
  })

  test('the vectors cover the longest possible app name', () => {
    const longest = Math.max(...vectors.accept.map((v) => v.app_name.length))
    expect(longest).toBe(63)
  })
})

describe('parseProcessorRef', () => {
  test('returns the parts', () => {
    expect(parseProcessorRef('audio/whisper-large-v3@12')).toEqual({
      ok: true,
      value: { namespace: 'audio', name: 'whisper-large-v3', major: 12 },
    })
  })
})
