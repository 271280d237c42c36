// The source layers, one way down: `action` and `cli` (the two entries) → `flow` (the deploy step both run) →
// `modal` (the session and client) → `platform` (processes, files, bundle paths, GitHub API headers) and `rules`
// (pure policy). A layer imports only from itself and the layers below it, type imports included; docs/internals.md
// draws the same picture, and __tests__/layers.test.ts holds this rule to it. Also the size of a source file: one job
// per file, none over 300 lines.
export const LAYERS = {
  action: ['flow', 'modal', 'platform', 'rules'],
  cli: ['flow', 'modal', 'platform', 'rules'],
  flow: ['modal', 'platform', 'rules'],
  modal: ['platform', 'rules'],
  platform: [],
  rules: [],
}

/**
 * The layers from the top down, those that may import the same number of others side by side:
 * `[['action', 'cli'], ['flow'], ['modal'], ['platform', 'rules']]`.
 */
export function layerTiers() {
  const counts = [...new Set(Object.values(LAYERS).map((below) => below.length))].sort((a, b) => b - a)
  return counts.map((count) => Object.keys(LAYERS).filter((layer) => LAYERS[layer].length === count))
}

/** One flat-config block per layer: `no-restricted-imports` refuses every other layer. */
export function layerRules() {
  const direction = layerTiers()
    .map((tier) => tier.join(', '))
    .join(' → ')
  return Object.entries(LAYERS).map(([layer, below]) => {
    const forbidden = Object.keys(LAYERS).filter((other) => other !== layer && !below.includes(other))
    return {
      files: [`src/${layer}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: forbidden.map((other) => ({
              group: [`../${other}/*`, `../../src/${other}/*`],
              message: `src/${layer}/ may not import src/${other}/: dependencies point down (${direction}); see docs/internals.md.`,
            })),
          },
        ],
      },
    }
  })
}

/** No file of src/ over 300 lines: a longer one holds more than one job. */
export function sourceSizeRule() {
  return { files: ['src/**/*.ts'], rules: { 'max-lines': ['error', { max: 300 }] } }
}
