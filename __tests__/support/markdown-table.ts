/** The cells GitHub reads from a Markdown table row: it splits at every `|` that is not escaped, code spans included. */
export function tableCells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
}
