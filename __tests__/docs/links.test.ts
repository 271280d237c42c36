// The documentation stands alone: every relative link and `#anchor` in the Markdown files leads somewhere, and no
// tracked file cites a document kept outside the repository.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { anchorsOf, brokenLinks, githubSlug, linksOf, outsideCitations, type LinkedFiles } from '../support/doc-links.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const repository: LinkedFiles = {
  markdown: (file) => (existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), 'utf8') : null),
  exists: (file) => existsSync(path.join(root, file)),
}
const markdownIn = (folder: string, name: (file: string) => boolean) =>
  readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter(name)
    .map((file) => path.posix.join(folder, file.split(path.sep).join('/')))

const DOCUMENTS = [
  'README.md',
  'CHANGELOG.md',
  ...markdownIn('docs', (file) => file.endsWith('.md')),
  'testing/emulator/README.md',
  'integrations/django/README.md',
  ...markdownIn('processors', (file) => /^[^/\\]+[/\\]README\.md$/.test(file)),
]

describe('links in the documentation', () => {
  test('cover the README of every processor and every page of docs/', () => {
    expect(DOCUMENTS).toEqual(expect.arrayContaining(['docs/internals.md', 'docs/modal-client.md', 'processors/llm-litellm/README.md']))
    // The README links into docs/ with anchors: the checker must see them to judge them.
    const readmeLinks = linksOf(repository.markdown('README.md') ?? '').map((link) => link.target)
    expect(readmeLinks).toEqual(expect.arrayContaining(['docs/workflows.md#releases', '#fleets']))
  })

  test.each(DOCUMENTS)('%s: every relative link and anchor resolves', (file) => {
    expect(brokenLinks(file, repository)).toEqual([])
  })
})

test('no tracked file cites a document kept outside the repository', () => {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean)
  expect(tracked.length).toBeGreaterThan(100)
  const citations = tracked
    .filter((file) => existsSync(path.join(root, file)) && !file.startsWith('dist/') && file !== 'package-lock.json')
    .flatMap((file) => outsideCitations(file, readFileSync(path.join(root, file), 'utf8')))
  expect(citations).toEqual([])
})

describe('the checker', () => {
  test.each([
    ['The Modal session (`modal-session/session.py`)', 'the-modal-session-modal-sessionsessionpy'],
    ['`deploy-fleet.yml`', 'deploy-fleetyml'],
    ['[Unreleased]', 'unreleased'],
    ['Command-line tool: `modal-processor`', 'command-line-tool-modal-processor'],
    ['modal_processors: Django **management** commands', 'modal_processors-django-management-commands'],
    ['Environment of the deploy (`--env <env>`, cwd = x)', 'environment-of-the-deploy---env-env-cwd--x'],
    ['Ünïcode & émoji 🎉 stay', 'ünïcode--émoji--stay'],
  ])('slugs %j as GitHub does', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug)
  })

  test('numbers repeated headings and ignores headings and links inside code fences', () => {
    const markdown = '# Notes\n## Notes\n### Notes\n```md\n# Inside\n[x](missing.md)\n```\n<a id="kept"></a>\n'
    expect([...anchorsOf(markdown)].sort()).toEqual(['kept', 'notes', 'notes-1', 'notes-2'])
    expect(linksOf(markdown)).toEqual([])
  })

  test('finds inline links, reference definitions and HTML links, but not code spans', () => {
    const markdown = 'See [a](a.md#x "title") and `[b](b.md)`.\n[ref]: docs/c.md\n<img src="d.png">\n'
    expect(linksOf(markdown).map((link) => link.target)).toEqual(['a.md#x', 'docs/c.md', 'd.png'])
  })

  test('reports a missing file, a missing heading, a missing local anchor and a path outside the repository', () => {
    const files: Record<string, string> = {
      'docs/a.md': '# A\n## Real heading\n',
      'docs/bad.md': [
        '# Bad',
        '[ok](a.md#real-heading) [ok](#bad) [ok](https://example.com/#nothing) [ok](../README.md)',
        '[gone](gone.md)',
        '[stale](a.md#old-heading)',
        '[local](#nowhere)',
        '[escape](../../etc/passwd)',
      ].join('\n'),
      'README.md': '# Readme\n',
    }
    const sample: LinkedFiles = { markdown: (file) => files[file] ?? null, exists: (file) => file in files }
    expect(brokenLinks('docs/bad.md', sample)).toEqual([
      'docs/bad.md:3: gone.md (no such file)',
      'docs/bad.md:4: a.md#old-heading (no such heading)',
      'docs/bad.md:5: #nowhere (no such heading)',
      'docs/bad.md:6: ../../etc/passwd (outside the repository)',
    ])
  })

  test('flags a citation of a document kept outside the repository', () => {
    const outside = ['modal', 'contract'].join('-')
    const text = `// fine: shared-vectors.test.ts\n// see ${outside} §7\n# (/work/${'shared'}/notes.md)\n`
    expect(outsideCitations('x.ts', text)).toEqual([`x.ts:2: // see ${outside} §7`, `x.ts:3: # (/work/${'shared'}/notes.md)`])
  })
})
