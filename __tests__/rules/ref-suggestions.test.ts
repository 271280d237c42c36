import { didYouMean, editDistance, nearestRefs } from '../../src/rules/ref-suggestions.js'

describe('editDistance (Damerau-Levenshtein, optimal string alignment)', () => {
  test.each([
    ['llm/litellm@1', 'llm/litellm@1', 0],
    ['llm/litelm@1', 'llm/litellm@1', 1], // a letter left out
    ['lml/litellm@1', 'llm/litellm@1', 1], // two neighbours swapped
    ['llm/litellm@2', 'llm/litellm@1', 1],
    ['llm/litelm@2', 'llm/litellm@1', 2],
    ['', 'abc', 3],
    ['ocr/tesseract@2', 'llm/litellm@1', 12],
  ])('%s → %s: %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance)
    expect(editDistance(b, a)).toBe(distance)
  })
})

describe('nearestRefs', () => {
  const catalogue = ['llm/litellm@1', 'llm/litellm@2', 'replicate/generic@1', 'ocr/tesseract@2']

  test('a typo finds the ref it was meant to be, nearest first', () => {
    expect(nearestRefs('llm/litelm@1', catalogue)).toEqual(['llm/litellm@1', 'llm/litellm@2'])
    expect(nearestRefs('replicate/generc@1', catalogue)).toEqual(['replicate/generic@1'])
    expect(nearestRefs('ocr/tesseract@3', catalogue)).toEqual(['ocr/tesseract@2'])
  })

  test('another processor is not a typo; the ref itself is never suggested', () => {
    expect(nearestRefs('ocr/paddle@1', catalogue)).toEqual([])
    expect(nearestRefs('llm/litellm@1', ['llm/litellm@1'])).toEqual([])
  })

  test('at most three, ties in alphabetical order', () => {
    expect(nearestRefs('a/bc@1', ['a/bc@5', 'a/bc@2', 'a/bc@4', 'a/bc@3', 'a/bcd@1'])).toEqual(['a/bc@2', 'a/bc@3', 'a/bc@4'])
  })

  test('a short ref allows fewer edits: a third of its length', () => {
    expect(nearestRefs('a/b@1', ['x/y@1'])).toEqual([])
    expect(nearestRefs('a/b@1', ['a/b@2'])).toEqual(['a/b@2'])
  })
})

describe('didYouMean', () => {
  test('one, two or three refs in one sentence; nothing without a near one', () => {
    expect(didYouMean('llm/litelm@1', ['llm/litellm@1'])).toBe(" Did you mean 'llm/litellm@1'?")
    expect(didYouMean('llm/litelm@1', ['llm/litellm@1', 'llm/litellm@2'])).toBe(" Did you mean 'llm/litellm@1' or 'llm/litellm@2'?")
    expect(didYouMean('a/bc@1', ['a/bc@2', 'a/bc@3', 'a/bc@4'])).toBe(" Did you mean 'a/bc@2', 'a/bc@3' or 'a/bc@4'?")
    expect(didYouMean('ocr/paddle@1', ['llm/litellm@1'])).toBe('')
  })

  test('a catalogue key is quoted on one line: a line break in it cannot start a line of its own', () => {
    const suggestion = didYouMean('llm/litelm@1', ['llm/lite\nlm@1'])
    expect(suggestion).toBe(" Did you mean 'llm/lite ⏎ lm@1'?")
  })
})
