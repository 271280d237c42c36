// JSON.parse keeps the last of two equal keys and turns a `__proto__` key into an own property that some readers then
// drop: neither may decide what a file means. This scanner reads the text once more, tracking the keys of every
// object, and names the first key that appears twice in one object or is `__proto__`. Keys are compared decoded, so
// "a" and "\u0061" are the same key. It walks the text in one pass with an explicit stack (no recursion), so any
// nesting depth the parser accepted is fine.

export interface KeyProblem {
  /** The path of the offending key from the top: object keys and array indices, the key itself last. */
  path: (string | number)[]
  reason: 'duplicate' | 'proto'
}

type Frame = { kind: 'object'; keys: Set<string>; key: string | null; expectKey: boolean } | { kind: 'array'; index: number }

/** The first duplicated or `__proto__` key of `text`, which must be JSON that JSON.parse accepts; null when none. */
export function findKeyProblem(text: string): KeyProblem | null {
  const stack: Frame[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]
    const top = stack.at(-1)
    if (c === '{') stack.push({ kind: 'object', keys: new Set(), key: null, expectKey: true })
    else if (c === '[') stack.push({ kind: 'array', index: 0 })
    else if (c === '}' || c === ']') stack.pop()
    else if (c === ',' && top?.kind === 'object') top.expectKey = true
    else if (c === ',' && top?.kind === 'array') top.index++
    else if (c === '"') {
      const end = stringEnd(text, i)
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(i, end)) as string
        const reason = key === '__proto__' ? 'proto' : top.keys.has(key) ? 'duplicate' : null
        if (reason !== null) return { path: [...stack.slice(0, -1).map(currentStep), key], reason }
        top.keys.add(key)
        top.key = key
        top.expectKey = false
      }
      i = end
      continue
    }
    i++
  }
  return null
}

/** Where a frame's child sits: the object's current key, or the array's current index. */
function currentStep(frame: Frame): string | number {
  return frame.kind === 'object' ? (frame.key ?? '') : frame.index
}

/** The index just after the closing quote of the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
  return i + 1
}
