// Where JSON text goes wrong, as a line and column: V8's own message quotes the text around the error, and the text
// may be a file that is no JSON at all (`catalogue-file: /proc/self/environ`), so a message never quotes it.

type Expecting = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'after-value'

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y

/** Why `text` is not JSON, with the place only: "unexpected character at line 3, column 7". */
export function jsonSyntaxProblem(text: string): string {
  const offset = jsonErrorOffset(text)
  if (offset === null) return 'not valid JSON'
  const what = offset >= text.length ? 'unexpected end' : 'unexpected character'
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  return `${what} at line ${line}, column ${column}`
}

/** The offset of the first character that makes `text` not JSON (its length when it ends too early); null if valid. */
export function jsonErrorOffset(text: string): number | null {
  const open: string[] = []
  let expecting: Expecting = 'value'
  let i = 0
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++
    if (i >= text.length) return expecting === 'after-value' && open.length === 0 ? null : text.length
    const c = text[i]
    if (expecting === 'after-value') {
      const top = open.at(-1)
      if (c === ',' && top !== undefined) expecting = top === '{' ? 'key' : 'value'
      else if ((c === '}' && top === '{') || (c === ']' && top === '[')) open.pop()
      else return i
      i++
    } else if (expecting === 'colon') {
      if (c !== ':') return i
      expecting = 'value'
      i++
    } else if ((c === '}' && expecting === 'key-or-close') || (c === ']' && expecting === 'value-or-close')) {
      open.pop()
      expecting = 'after-value'
      i++
    } else if (expecting === 'key' || expecting === 'key-or-close') {
      if (c !== '"') return i
      const end = stringEnd(text, i)
      if (end < 0) return -end - 1
      expecting = 'colon'
      i = end
    } else if (c === '{' || c === '[') {
      open.push(c)
      expecting = c === '{' ? 'key-or-close' : 'value-or-close'
      i++
    } else {
      const end = scalarEnd(text, i)
      if (end < 0) return -end - 1
      expecting = 'after-value'
      i = end
    }
  }
}

/** The end of the string, number or literal at `start`; or -(error offset) - 1. */
function scalarEnd(text: string, start: number): number {
  if (text[start] === '"') return stringEnd(text, start)
  for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, start)) return start + literal.length
  NUMBER.lastIndex = start
  return NUMBER.test(text) ? NUMBER.lastIndex : -start - 1
}

/** The end of the string whose quote is at `start`; or -(error offset) - 1 (a control character, a bad escape, no end). */
function stringEnd(text: string, start: number): number {
  let i = start + 1
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 0x22) return i + 1
    if (c < 0x20) return -i - 1
    if (c === 0x5c) {
      ESCAPE.lastIndex = i
      if (!ESCAPE.test(text)) return -i - 1
      i = ESCAPE.lastIndex
    } else i++
  }
  return -text.length - 1
}
