import { candidateAppName, previewAppName } from '../../src/rules/naming.js'
import { classifyApp, planPrune } from '../../src/rules/prune.js'

const LONG = 'abcdefghijklmnopqrstuvwx-nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn-v9999'
const catalogue = new Set(['llm-litellm-v1', LONG])

describe('classifyApp', () => {
  test.each([
    ['llm-litellm-v1', { kind: 'live' }],
    ['llm-litellm-v1-pr42', { kind: 'preview', pullRequest: 42 }],
    [previewAppName(LONG, 7), { kind: 'preview', pullRequest: 7 }],
    [candidateAppName('llm-litellm-v1'), { kind: 'candidate', ofCatalogue: true }],
    ['ocr-tesseract-v2-candidate', { kind: 'candidate', ofCatalogue: false }],
    ['ocr-tesseract-v2', { kind: 'removed' }],
    ['ocr-tesseract-v2-pr3', { kind: 'preview', pullRequest: 3 }],
    // Not names this project makes: never touched.
    ['billing-api', { kind: 'other' }],
    ['billing-api-pr3', { kind: 'other' }],
    ['Billing-api-v1', { kind: 'other' }],
    ['llm-litellm-v1-pr0', { kind: 'other' }],
  ])('%s', (name, kind) => {
    expect(classifyApp(name, catalogue)).toEqual(kind)
  })
})

test('planPrune keeps the live app and open previews, stops closed previews and removed processors', () => {
  const apps = ['llm-litellm-v1', 'llm-litellm-v1-pr1', 'llm-litellm-v1-pr2', 'ocr-x-v1', 'other'].map((name) => ({
    name,
    appId: `ap-${name}`,
    state: 'deployed',
  }))
  expect(planPrune(apps, catalogue, new Set([1])).map((r) => [r.app, r.action])).toEqual([
    ['llm-litellm-v1', 'keep'],
    ['llm-litellm-v1-pr1', 'keep'],
    ['llm-litellm-v1-pr2', 'stop'],
    ['ocr-x-v1', 'stop'],
  ])
})
