// The layers of src/ are kept by the lint (eslint.layers.js): every folder is a layer, and an import against the
// direction (type imports included) is a lint error; docs/internals.md draws the same layers; no source file is over
// 300 lines.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Linter } from 'eslint'
import tseslint from 'typescript-eslint'
import { LAYERS, layerRules, layerTiers, sourceSizeRule } from '../eslint.layers.js'

const ROOT = path.resolve(import.meta.dirname, '..')

function lint(file: string, code: string): string[] {
  const linter = new Linter({ cwd: ROOT })
  const config: Linter.Config[] = [
    { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } },
    ...layerRules(),
    sourceSizeRule(),
  ]
  return linter.verify(code, config, { filename: path.join(ROOT, file) }).map((m) => m.message)
}

test('every folder of src/ is a layer', () => {
  const folders = readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory())
  expect(folders.map((e) => e.name).sort()).toEqual(Object.keys(LAYERS).sort())
})

test.each([
  ['src/rules/x.ts', "import type { Toolkit } from '../flow/toolkit.js'", 'src/rules/ may not import src/flow/'],
  ['src/rules/x.ts', "import { ModalClient } from '../modal/client.js'", 'src/rules/ may not import src/modal/'],
  ['src/modal/x.ts', "import { runAction } from '../flow/run-action.js'", 'src/modal/ may not import src/flow/'],
  ['src/flow/x.ts', "import { runnerToolkit } from '../action/runner-toolkit.js'", 'src/flow/ may not import src/action/'],
  ['src/cli/x.ts', "import { run } from '../action/main.js'", 'src/cli/ may not import src/action/'],
  ['src/platform/x.ts', "import type { ErrorCode } from '../rules/errors.js'", 'src/platform/ may not import src/rules/'],
])('%s: %s is refused', (file, code, message) => {
  expect(lint(file, `${code}\nexport {}\n`)).toEqual([expect.stringContaining(message)])
})

test.each([
  ['src/cli/x.ts', "import { runAction } from '../flow/run-action.js'"],
  ['src/flow/x.ts', "import type { ModalClient } from '../modal/client.js'"],
  ['src/modal/x.ts', "import { runProcess } from '../platform/process.js'"],
  ['src/rules/x.ts', "import { oneLine } from './untrusted-text.js'"],
])('%s: %s is allowed', (file, code) => {
  expect(lint(file, `${code}\nexport {}\n`)).toEqual([])
})

test('docs/internals.md draws the same layers, in the same direction', () => {
  const internals = readFileSync(path.join(ROOT, 'docs', 'internals.md'), 'utf8')
  const picture = /## Layers\n\n```\n([\s\S]*?)```/.exec(internals)![1]
  expect([...new Set(picture.match(/src\/[a-z]+\//g))].sort()).toEqual(
    Object.keys(LAYERS)
      .map((layer) => `src/${layer}/`)
      .sort(),
  )
  const direction = layerTiers()
    .map((tier) => tier.map((layer) => `\`${layer}/\``).join(' and '))
    .join(' → ')
  expect(internals).toContain(`Dependencies point one way, down: ${direction}.`)
})

test('a source file over 300 lines is refused; one of 300 is not', () => {
  const lines = (n: number) => 'export const a = 1\n'.repeat(n - 1) + 'export const b = 2\n'
  expect(lint('src/rules/x.ts', lines(301))).toEqual([expect.stringContaining('Maximum allowed is 300')])
  expect(lint('src/rules/x.ts', lines(300))).toEqual([])
})
