// Text that comes from outside (inputs, file names, the Modal client, the module, the processor, the GitHub API),
// made safe for each place the action writes it: one function per destination, used by every path.

/** Every line break a reader may honour: CRLF, LF, a bare CR, NEL, and the Unicode line and paragraph separators. */
export const LINE_BREAK = /\r\n|[\n\r\u0085\u2028\u2029]/g

/** What a terminal (or the log viewer) may act on instead of showing: C0 controls but tab and line feed, DEL, C1. */
// eslint-disable-next-line no-control-regex -- matching controls is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

/** The longest line the action or the CLI writes to a log or a terminal, its cut note included. */
export const MAX_LOG_LINE = 4000

/** The most lines one block of untrusted text (the processor's answer, a command's output) gets in a log. */
export const MAX_LOG_BLOCK_LINES = 1000

/** The text's lines, whatever breaks them. */
export function lines(text: string): string[] {
  return text.split(LINE_BREAK)
}

/**
 * Control characters made visible, so that no escape sequence can start (CSI, OSC 8 links, OSC 52 clipboard writes,
 * a bell, a CR that would overwrite the line): a C0 control or DEL is shown as its Unicode control picture (ESC ␛,
 * BEL ␇, CR ␍, DEL ␡), a C1 control as the ␛ sequence it stands for (U+009B CSI is ␛[). Tab and line feed stay.
 */
export function visibleControls(text: string): string {
  return text.replace(CONTROL, (control) => {
    const code = control.charCodeAt(0)
    if (code === 0x7f) return '␡'
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : `␛${String.fromCharCode(code - 0x40)}`
  })
}

/** One line for a log line or a message: line breaks shown as ⏎, so nothing after one can start a line of its own. */
export function oneLine(text: string): string {
  return visibleControls(text.replace(LINE_BREAK, ' ⏎ '))
}

/** At most `max` characters, the cut said. */
export function bounded(text: string, max: number): string {
  return text.length > max ? `${wholeCharacters(text.slice(0, max))}… (${text.length - max} more characters)` : text
}

/** A cut never leaves half a surrogate pair. */
function wholeCharacters(head: string): string {
  return /[\ud800-\udbff]$/.test(head) ? head.slice(0, -1) : head
}

/**
 * One line of a log or a terminal: made one line, controls visible, and at most `max` characters; a longer line is
 * its beginning and its length (`… (20971520 characters in all)`). Redact before: a cut must not leave half a secret.
 */
export function logLine(text: string, max = MAX_LOG_LINE): string {
  const line = oneLine(text)
  if (line.length <= max) return line
  const note = `… (${line.length} characters in all)`
  return `${wholeCharacters(line.slice(0, Math.max(0, max - note.length)))}${note}`
}

/** Text for a log or a terminal, line by line: each break a reader honours starts a line, each line a `logLine`. */
export function logLines(text: string, max = MAX_LOG_LINE): string[] {
  return lines(text).map((line) => logLine(line, max))
}

/** `logLines` joined again with line feeds: a message of several lines for a terminal. */
export function logText(text: string): string {
  return logLines(text).join('\n')
}

/**
 * A block of untrusted lines for a log: every line a `logLine`, and at most `maxLines` of them; what is left out is
 * said in a last line with the whole block's size.
 */
export function logBlock(given: string[], maxLines = MAX_LOG_BLOCK_LINES): string[] {
  const all = given.flatMap((line) => lines(line))
  if (all.length <= maxLines) return all.map((line) => logLine(line))
  const characters = all.reduce((sum, line) => sum + line.length, all.length - 1)
  const shown = all.slice(0, maxLines - 1).map((line) => logLine(line))
  return [...shown, `… (${all.length - shown.length} more lines; ${all.length} lines, ${characters} characters in all)`]
}

/**
 * JSON text a terminal or a log shows as it is: JSON escapes C0 controls itself; DEL, C1 controls and the Unicode line
 * separators are escaped too (`\u009b`), so the value reads back the same.
 */
export function safeJson(value: unknown, indent?: number): string {
  const json = JSON.stringify(value, null, indent) ?? 'null'
  return json.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
 * Plain text inside Markdown (a table cell, a list item): one line (so nothing can start a heading, list or fence),
 * and every character that inline Markdown or HTML reads as markup escaped: no link, image, emphasis, code span,
 * table cell or tag can come from it, and no mention or reference that would notify someone.
 */
export function markdownText(text: string): string {
  return (
    oneLine(text)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
      .replace(/:\/\//g, '\\://') // no autolinks: not from a scheme, nor GitHub's extended www. and e-mail ones
      .replace(/www\./gi, (www) => `${www.slice(0, 3)}\u200b.`)
      // No mention, e-mail autolink, issue or pull request reference (GitHub notifies and links them): a zero-width
      // space after the `@`, `#` or `GH-`. An `@` after a letter or digit (`llm/litellm@1`) mentions no one, and is
      // an e-mail address only before a domain with a dot.
      .replace(/(?<![a-z0-9])@(?=[a-z0-9])|@(?=[a-z0-9_-]+\.[a-z0-9])/gi, '@\u200b')
      .replace(/#(?=\d)/g, '#\u200b')
      .replace(/GH-(?=\d)/gi, (gh) => `${gh}\u200b`)
  )
}

/** A fenced code block that no line of the text can close: the fence is longer than any run of backticks in it. */
export function markdownFence(text: string, info = 'text'): string[] {
  const body = lines(text).map(visibleControls)
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return [`${fence}${info}`, ...body, fence]
}
