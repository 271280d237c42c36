import { verdictError } from '../../src/flow/verify.js'

describe('verdictError', () => {
  test('a race names the live version and its tag, or says it has none, never calling a tag "none"', () => {
    const tagged = verdictError({ status: 'raced', ourVersion: 4, liveVersion: 5, liveTag: 'other-run' }, 'llm-litellm-v1')
    expect(tagged.code).toBe('ERR_RACE_DETECTED')
    expect(tagged.message).toContain('The live version is v5 (tag other-run), not v4 deployed by this run')
    const untagged = verdictError({ status: 'raced', ourVersion: null, liveVersion: 5, liveTag: null }, 'llm-litellm-v1')
    expect(untagged.message).toContain('The live version is v5 (without a tag), not the one this run deployed')
    expect(untagged.message).not.toMatch(/\bnone\b/)
  })
})
