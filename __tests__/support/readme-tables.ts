// The README's generated tables: inputs and outputs from action.yml, error codes from src/rules/errors.ts.
// `UPDATE_README=1 npm run test:ts -- contract` rewrites them; the contract test fails when they drift.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { ERROR_CATALOG, fillFix, fixTemplate } from '../../src/rules/errors.js'

export interface ActionMetadata {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}

export function readMetadata(root: URL): ActionMetadata {
  return parse(readFileSync(new URL('action.yml', root), 'utf8')) as ActionMetadata
}

/** Table-safe Markdown: pipes escaped, and `<…>` outside code spans shown as text rather than read as HTML. */
function escapeCell(text: string): string {
  return text
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replace(/</g, '&lt;').replace(/>/g, '&gt;') : part))
    .join('`')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
}

export function inputsTable(meta: ActionMetadata): string {
  const rows = Object.entries(meta.inputs).map(([name, spec]) => {
    const fallback = spec.required
      ? '(required)'
      : spec.default === undefined
        ? '(none)'
        : spec.default === ''
          ? '""'
          : `\`${escapeCell(spec.default)}\``
    return `| \`${name}\` | ${fallback} | ${escapeCell(spec.description)} |`
  })
  return ['| Input | Default | Description |', '| --- | --- | --- |', ...rows].join('\n')
}

export function outputsTable(meta: ActionMetadata): string {
  const rows = Object.entries(meta.outputs).map(([name, spec]) => `| \`${name}\` | ${escapeCell(spec.description)} |`)
  return ['| Output | Description |', '| --- | --- |', ...rows].join('\n')
}

/** Each code's fix for the action and for the CLI, its values shown as `<env>`, `<app>`, `<ref>`, `<command>`. */
export function errorTable(): string {
  const rows = Object.entries(ERROR_CATALOG).map(([code, info]) => {
    const [action, cli] = (['action', 'cli'] as const).map((surface) => fillFix(fixTemplate(info.fix, surface), {}))
    return `| \`${code}\` | ${info.phase} | ${escapeCell(action)} | ${cli === action ? 'the same' : escapeCell(cli)} |`
  })
  return ['| Code | Phase | What to do (action) | What to do (`modal-processor`) |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

export const GENERATED = { inputs: inputsTable, outputs: outputsTable, errors: () => errorTable() } as const

/** Replaces the text between `<!-- <name>:start -->` and `<!-- <name>:end -->`. */
export function replaceSection(readme: string, name: string, body: string): string {
  const pattern = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`)
  if (!pattern.test(readme)) throw new Error(`README has no ${name} section markers`)
  return readme.replace(pattern, (_, start: string, end: string) => `${start}${body}\n${end}`)
}
