// What a user sees of a bug inside the action or the CLI: the error's name and message and where it was thrown, on
// one line. Never the raw stack: it is long, names bundle internals and helps no one fix their run.

/** `TypeError: x is undefined (at main.cjs:12:7)`. */
export function describeUnexpected(error: unknown): string {
  if (!(error instanceof Error)) return oneLine(String(error))
  const where = /\n\s+at (?:.*\()?(?:.*[/\\])?([^/\\()\s]+:\d+:\d+)\)?/.exec(error.stack ?? '')
  const what = oneLine(`${error.name}: ${error.message}`)
  return where ? `${what} (at ${where[1]})` : what
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim()
}
