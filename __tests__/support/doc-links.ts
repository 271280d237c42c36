// Reads the links and headings of Markdown files the way GitHub renders them, so that a test can tell a relative link
// or an `#anchor` that leads nowhere. Pure: the caller reads the files.
import path from 'node:path'

export interface MarkdownLink {
  line: number
  target: string
}

/** The lines of a Markdown file outside fenced code blocks, with their 1-based numbers; inline code is blanked. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = []
  let fence: string | null = null
  markdown.split('\n').forEach((text, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1]
    if (fence === null && marker) fence = marker
    else if (fence !== null && marker?.startsWith(fence[0]) && marker.length >= fence.length) fence = null
    else if (fence === null) lines.push({ line: index + 1, text })
  })
  return lines
}

/** GitHub's anchor for a heading's text: lower case, punctuation other than `-` and `_` dropped, spaces as `-`. */
export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images keep their text
    .replace(/`([^`]*)`/g, (_, code: string) => code.replace(/[<>]/g, '')) // code spans keep their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/\*+/g, '') // emphasis markers
    .trim()
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** Every anchor a file offers: one per heading (repeats get -1, -2, …), and explicit `id`/`name` attributes. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text)
    if (heading) {
      const slug = githubSlug(heading[1])
      const count = seen.get(slug) ?? 0
      seen.set(slug, count + 1)
      anchors.add(count === 0 ? slug : `${slug}-${count}`)
    }
    for (const explicit of text.matchAll(/<a\s[^>]*\b(?:id|name)="([^"]+)"/g)) anchors.add(explicit[1])
  }
  return anchors
}

/** Inline links and images `[text](target)`, reference definitions `[label]: target` and HTML `href`/`src`. */
export function linksOf(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = []
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/`[^`]*`/g, '')
    for (const m of prose.matchAll(/\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line, target: m[1] })
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose)
    if (definition) links.push({ line, target: definition[1] })
    for (const m of prose.matchAll(/\b(?:href|src)="([^"]+)"/g)) links.push({ line, target: m[1] })
  }
  return links
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')

export interface LinkedFiles {
  /** The Markdown text of a file by its repository path, or null when the file does not exist. */
  markdown(file: string): string | null
  /** Whether a file or folder exists at a repository path. */
  exists(file: string): boolean
}

/** The broken links of one Markdown file, as `file:line: target (why)`. */
export function brokenLinks(file: string, files: LinkedFiles): string[] {
  const source = files.markdown(file)
  if (source === null) return [`${file}: the file does not exist`]
  const problems: string[] = []
  for (const { line, target } of linksOf(source)) {
    if (isExternal(target)) continue
    const [rawPath, anchor] = target.split('#', 2)
    const linked = rawPath === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(rawPath)))
    const where = `${file}:${line}: ${target}`
    if (linked.startsWith('..')) problems.push(`${where} (outside the repository)`)
    else if (!files.exists(linked)) problems.push(`${where} (no such file)`)
    else if (anchor !== undefined && linked.endsWith('.md')) {
      if (!anchorsOf(files.markdown(linked) ?? '').has(decodeURIComponent(anchor))) problems.push(`${where} (no such heading)`)
    }
  }
  return problems
}

// Assembled from parts so that this file does not cite what it looks for.
const OUTSIDE_DOCUMENTS = [new RegExp(['modal', 'contract'].join('-'), 'i'), new RegExp(`(^|[^\\w.-])${'shared'}/[\\w.-]+`)]

/** Lines of a file that cite a document kept outside the repository, as `file:line: text`. */
export function outsideCitations(file: string, text: string): string[] {
  return text
    .split('\n')
    .flatMap((line, index) => (OUTSIDE_DOCUMENTS.some((pattern) => pattern.test(line)) ? [`${file}:${index + 1}: ${line.trim()}`] : []))
}
