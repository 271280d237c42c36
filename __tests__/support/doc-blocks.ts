// The shell blocks of a Markdown file (```sh, ```bash, ```shell), for the test that runs them. A block says where it
// runs from in its first line (`# from the repository root`); a block that cannot run in the test is marked on the
// line before it: `<!-- docs-test: skip (needs a real Modal account) -->`. Lines a block's output must contain are
// marked the same way, one marker each: `<!-- docs-test: expect (llm-litellm-v1 in dev: v1 live) -->`.

export interface ShellBlock {
  /** `README.md:240`: the file and the line of the opening fence. */
  where: string
  file: string
  /** The block's text, its indentation removed. */
  code: string
  /** What the first line names after `# from `, or null when it names nothing. */
  from: string | null
  /** The reason given in a skip marker, or null when the block runs. */
  skip: string | null
  /** Texts its output must contain, from the expect markers above it. */
  expect: string[]
}

const SHELL = new Set(['sh', 'bash', 'shell'])
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/
const MARKER = /^\s*<!--\s*docs-test:\s*(skip|expect)\s*\((.*)\)\s*-->\s*$/
const FROM = /^#\s*from\s+(.+?)\s*(?:[:;(].*)?$/

export function shellBlocks(file: string, markdown: string): ShellBlock[] {
  const lines = markdown.split('\n')
  const blocks: ShellBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i])
    if (!open) continue
    const [, indent, fence, language] = open
    const close = lines.findIndex(
      (line, j) => j > i && line.trim().startsWith(fence[0].repeat(fence.length)) && line.trim().replace(/[`~]/g, '') === '',
    )
    const end = close === -1 ? lines.length : close
    if (SHELL.has(language.toLowerCase())) {
      const code = lines
        .slice(i + 1, end)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
        .join('\n')
      const first = code.split('\n')[0].trim()
      const markers = markersAbove(lines, i)
      blocks.push({
        where: `${file}:${i + 1}`,
        file,
        code: `${code}\n`,
        from: FROM.exec(first)?.[1].trim() ?? null,
        skip: markers.find(([kind]) => kind === 'skip')?.[1] ?? null,
        expect: markers.filter(([kind]) => kind === 'expect').map(([, text]) => text),
      })
    }
    i = end
  }
  return blocks
}

/** The docs-test markers on the lines right above line `fence`, top to bottom. */
function markersAbove(lines: string[], fence: number): [kind: string, text: string][] {
  const markers: [string, string][] = []
  for (let j = fence - 1; j >= 0; j--) {
    const marker = MARKER.exec(lines[j])
    if (!marker) break
    markers.unshift([marker[1], marker[2]])
  }
  return markers
}
