import { candidateAppName, previewAppName } from '../../src/rules/naming.js'
import { catalogueAppNames, classifyApp, formerAppNames, planPrune, type Attribution } from '../../src/rules/prune.js'

const LONG = 'abcdefghijklmnopqrstuvwx-nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn-v9999'
const FORMER_LONG = 'abcdefghijklmnopqrstuvwx-mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm-v9999'
const attribution: Attribution = {
  catalogueApps: new Set(['llm-litellm-v1', LONG]),
  formerApps: new Set(['ocr-tesseract-v2', FORMER_LONG]),
}

describe('classifyApp', () => {
  test.each([
    ['llm-litellm-v1', { kind: 'live' }],
    ['llm-litellm-v1-pr42', { kind: 'preview', pullRequest: 42 }],
    [previewAppName(LONG, 7), { kind: 'preview', pullRequest: 7 }],
    [candidateAppName('llm-litellm-v1'), { kind: 'candidate', ofCatalogue: true }],
    [candidateAppName(LONG), { kind: 'candidate', ofCatalogue: true }],
    // Processors the catalogue had before (its git history): their apps, previews and candidates.
    ['ocr-tesseract-v2', { kind: 'removed' }],
    ['ocr-tesseract-v2-pr3', { kind: 'preview', pullRequest: 3 }],
    ['ocr-tesseract-v2-candidate', { kind: 'candidate', ofCatalogue: false }],
    [previewAppName(FORMER_LONG, 9), { kind: 'preview', pullRequest: 9 }],
    // Shaped like ours but not attributable to this repository: another team's apps, never touched.
    ['billing-api-v2', { kind: 'other' }],
    ['web-frontend-v1', { kind: 'other' }],
    ['web-frontend-v1-pr6', { kind: 'other' }],
    ['web-frontend-v1-candidate', { kind: 'other' }],
    [previewAppName('abcdefghijklmnopqrstuvwx-nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn-v9998', 7), { kind: 'other' }],
    ['billing-api', { kind: 'other' }],
    ['billing-api-pr3', { kind: 'other' }],
    ['llm-litellm-v1-pr0', { kind: 'other' }],
    ['llm-litellm-v1-pr42-pr1', { kind: 'other' }],
  ])('%s', (name, kind) => {
    expect(classifyApp(name, attribution)).toEqual(kind)
  })

  test('without the history, a processor-shaped app that is not in the catalogue is not ours', () => {
    const now = { catalogueApps: attribution.catalogueApps, formerApps: new Set<string>() }
    for (const name of ['ocr-tesseract-v2', 'ocr-tesseract-v2-pr3', 'ocr-tesseract-v2-candidate']) {
      expect(classifyApp(name, now)).toEqual({ kind: 'other' })
    }
  })
})

test('planPrune keeps the live app, its candidate and open previews; stops closed previews and removed processors only', () => {
  const names = [
    'llm-litellm-v1',
    'llm-litellm-v1-candidate',
    'llm-litellm-v1-pr1',
    'llm-litellm-v1-pr2',
    'ocr-tesseract-v2',
    'ocr-tesseract-v2-candidate',
    'billing-api-v2',
    'other',
  ]
  const apps = names.map((name) => ({ name, appId: `ap-${name}`, state: 'deployed' }))
  expect(planPrune(apps, attribution, new Set([1])).map((r) => [r.app, r.action])).toEqual([
    ['llm-litellm-v1', 'keep'],
    ['llm-litellm-v1-candidate', 'keep'],
    ['llm-litellm-v1-pr1', 'keep'],
    ['llm-litellm-v1-pr2', 'stop'],
    ['ocr-tesseract-v2', 'stop'],
    ['ocr-tesseract-v2-candidate', 'stop'],
  ])
})

describe("the catalogue's earlier versions", () => {
  test('catalogueAppNames: the app of each valid ref; anything that is not a catalogue gives none', () => {
    const text = JSON.stringify({ processors: { 'llm/litellm@1': {}, 'ocr/tesseract@2': {}, 'Bad Ref': {} } })
    expect(catalogueAppNames(text)).toEqual(['llm-litellm-v1', 'ocr-tesseract-v2'])
    for (const text of ['{', 'null', '42', '"x"', '{"processors":[]}', '{"processors":null}', '{}']) {
      expect(catalogueAppNames(text)).toEqual([])
    }
  })

  test('formerAppNames: the apps of every version but the current catalogue’s', () => {
    const versions = [
      JSON.stringify({ processors: { 'llm/litellm@1': {} } }),
      JSON.stringify({ processors: { 'llm/litellm@1': {}, 'ocr/tesseract@2': {} } }),
      'not json',
      JSON.stringify({ processors: { 'asr/whisper@3': {} } }),
    ]
    expect(formerAppNames(versions, new Set(['llm-litellm-v1']))).toEqual(new Set(['ocr-tesseract-v2', 'asr-whisper-v3']))
  })
})
