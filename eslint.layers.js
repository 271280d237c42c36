// The source layers, one way down: `action` and `cli` (the two entries) → `flow` (the deploy step both run) →
// `modal` (the session and client) → `platform` (processes, files, bundle paths, GitHub API headers) and `rules`
// (pure policy). A layer imports only from itself and the layers below it, type imports included; docs/internals.md
// draws the same picture, and __tests__/layers.test.ts holds this rule to it.
export const LAYERS = {
  action: ['flow', 'modal', 'platform', 'rules'],
  cli: ['flow', 'modal', 'platform', 'rules'],
  flow: ['modal', 'platform', 'rules'],
  modal: ['platform', 'rules'],
  platform: [],
  rules: [],
}

/** One flat-config block per layer: `no-restricted-imports` refuses every other layer. */
export function layerRules() {
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
              message: `src/${layer}/ may not import src/${other}/: dependencies point down (action, cli → flow → modal → platform, rules); see docs/internals.md.`,
            })),
          },
        ],
      },
    }
  })
}
