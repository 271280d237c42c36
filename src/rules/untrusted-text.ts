// Text that comes from outside (inputs, file names, the Modal client, the module, the processor, the GitHub API),
// made safe for each place the action writes it: one function per destination, used by every path.

/** Every line break a reader may honour: CRLF, LF, a bare CR, NEL, and the Unicode line and paragraph separators. */
export const LINE_BREAK = /\r\n|[\n\r\u0085\u2028\u2029]/g

/** The text's lines, whatever breaks them. */
export function lines(text: string): string[] {
  return text.split(LINE_BREAK)
}

/** One line for a log line or a message: line breaks shown as ⏎, so nothing after one can start a line of its own. */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAK, ' ⏎ ')
}

/** At most `max` characters, the cut said. */
export function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text
}

/**
 * Plain text inside Markdown (a table cell, a list item): one line (so nothing can start a heading, list or fence),
 * and every character that inline Markdown or HTML reads as markup escaped: no link, image, emphasis, code span,
 * table cell or tag can come from it.
 */
export function markdownText(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/:\/\//g, '\\://') // no autolinks: not from a scheme, nor GitHub's extended www. and e-mail ones
    .replace(/www\./gi, (www) => `${www.slice(0, 3)}\u200b.`)
    .replace(/@(?=[a-z0-9_-]+\.[a-z0-9])/gi, '\u200b@') // an e-mail address needs a domain with a dot
}

/** A fenced code block that no line of the text can close: the fence is longer than any run of backticks in it. */
export function markdownFence(text: string, info = 'text'): string[] {
  const body = lines(text)
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return [`${fence}${info}`, ...body, fence]
}
