import { findMismatch, pathText, renderMismatch, MISMATCH_VALUE_LIMIT } from '../../src/rules/smoke-expect.js'
import { redactor } from '../../src/rules/redaction.js'

const none = (text: string) => text
const CHAT = {
  id: 'chatcmpl-1',
  choices: [{ index: 0, message: { role: 'assistant', content: 'mock reply to: hi' }, finish_reason: 'stop' }],
  usage: { total_tokens: 7 },
}

describe('findMismatch', () => {
  test('objects by key (extra keys allowed), arrays from the start (the output may be longer), scalars equal', () => {
    expect(findMismatch({}, CHAT)).toBeNull()
    expect(findMismatch({ choices: [{ message: { role: 'assistant' } }] }, CHAT)).toBeNull()
    expect(findMismatch({ choices: [] }, CHAT)).toBeNull()
    expect(findMismatch([1, 2], [1, 2, 3])).toBeNull()
    expect(findMismatch(null, null)).toBeNull()
    expect(findMismatch(0, -0)).toBeNull()
  })

  test('the first difference, with its path, what was expected and what the output has', () => {
    const wrong = findMismatch({ choices: [{ message: { content: 'mock reply to: test' } }] }, CHAT)
    expect(wrong).toEqual({
      path: ['choices', 0, 'message', 'content'],
      kind: 'value',
      expected: 'mock reply to: test',
      actual: 'mock reply to: hi',
    })
    expect(pathText(wrong!.path)).toBe('$.choices[0].message.content')
    expect(findMismatch({ usage: { cost: 1 } }, CHAT)).toMatchObject({ path: ['usage', 'cost'], kind: 'missing-key' })
    expect(findMismatch({ choices: [{}, {}] }, CHAT)).toMatchObject({ path: ['choices', 1], kind: 'missing-item' })
    expect(findMismatch({ choices: {} }, CHAT)).toMatchObject({ path: ['choices'], kind: 'type' })
    expect(findMismatch({ id: null }, CHAT)).toMatchObject({ path: ['id'], kind: 'type', actual: 'chatcmpl-1' })
    expect(findMismatch({ usage: { total_tokens: '7' } }, CHAT)).toMatchObject({ path: ['usage', 'total_tokens'], kind: 'type' })
    // In the expectation's order: the first key that differs is reported, not a later one.
    expect(findMismatch({ id: 'x', usage: { total_tokens: 8 } }, CHAT)).toMatchObject({ path: ['id'] })
  })

  test("an object's inherited names are not its keys", () => {
    expect(findMismatch({ constructor: 'x' }, {})).toMatchObject({ kind: 'missing-key', path: ['constructor'] })
    expect(findMismatch({ toString: {} }, { toString: {} })).toBeNull()
    expect(findMismatch(JSON.parse('{"__proto__": 1}'), JSON.parse('{"__proto__": 1}'))).toBeNull()
    expect(findMismatch(JSON.parse('{"__proto__": 1}'), {})).toMatchObject({ kind: 'missing-key', path: ['__proto__'] })
  })
})

describe('pathText', () => {
  test('plain keys dotted, indices bracketed, other keys quoted as JSON', () => {
    expect(pathText([])).toBe('$')
    expect(pathText(['a', 0, 'b_c'])).toBe('$.a[0].b_c')
    expect(pathText(['a b', '1x', 'é', 'x"]'])).toBe('$["a b"]["1x"]["é"]["x\\"]"]')
  })
})

describe('renderMismatch', () => {
  test('says where, what was expected and what the output had', () => {
    const at = (expected: unknown, actual: unknown) => renderMismatch(findMismatch(expected, actual)!, none)
    expect(at({ choices: [{ message: { content: 'a' } }] }, CHAT)).toBe(
      'at $.choices[0].message.content: expected "a", got "mock reply to: hi"',
    )
    expect(at({ usage: { cost: 1 } }, CHAT)).toBe('at $.usage.cost: expected 1, the output has no such key')
    expect(at({ choices: [{}, { index: 1 }] }, CHAT)).toBe(
      `at $.choices[1]: expected {"index":1}, the output's array ends before this item`,
    )
    expect(at({ id: [] }, CHAT)).toBe('at $.id: expected [], got "chatcmpl-1"')
  })

  test('long values are cut, line breaks and controls shown as text, secrets removed before the cut', () => {
    const secret = 'sk-test-abcdef0123456789'
    const long = `${'x'.repeat(190)}${secret}\n::error::owned\u001b[31m${'y'.repeat(5000)}`
    const text = renderMismatch(findMismatch({ a: 'short' }, { a: long })!, redactor([secret]))
    expect(text).not.toContain(secret)
    expect(text).not.toContain('sk-test')
    expect(text).toContain('***')
    // eslint-disable-next-line no-control-regex -- finding controls is the point
    expect(text).not.toMatch(/[\n\r\u001b]/)
    expect(text.length).toBeLessThan(2 * MISMATCH_VALUE_LIMIT + 100)
    expect(text).toMatch(/… \(\d+ more characters\)$/)
  })

  test('a secret in a key of the path is removed too', () => {
    const secret = 'key-material-0123456789'
    const text = renderMismatch(findMismatch({ [secret]: 1 }, {})!, redactor([secret]))
    expect(text).not.toContain(secret)
  })
})
