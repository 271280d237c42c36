// "Did you mean …?" for a processor ref the catalogue does not have: the catalogue's refs nearest to it by
// Damerau-Levenshtein distance (optimal string alignment: an insertion, a deletion, a substitution or a swap of two
// neighbours is one edit), so `llm/litelm@1` and `lmm/litellm@1` both find `llm/litellm@1`.
import { bounded, oneLine } from './untrusted-text.js'

/** Farther than this many edits is another processor, not a typo. */
const MAX_EDITS = 2
/** A short ref may be wrong in at most a third of its characters (so `a/b@1` does not suggest `x/y@1`). */
const MAX_EDIT_SHARE = 1 / 3
const MAX_SUGGESTIONS = 3

/** The number of edits that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  // d[i][j]: the distance between the first i characters of a and the first j of b.
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}

/** At most three of `known`, nearest first (then in alphabetical order), that `ref` is probably a typo of. */
export function nearestRefs(ref: string, known: readonly string[]): string[] {
  const limit = Math.min(MAX_EDITS, Math.floor(ref.length * MAX_EDIT_SHARE))
  return known
    .filter((candidate) => candidate !== ref)
    .map((candidate) => ({ candidate, distance: editDistance(ref, candidate) }))
    .filter(({ distance }) => distance <= limit)
    .sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : a.candidate > b.candidate ? 1 : 0))
    .slice(0, MAX_SUGGESTIONS)
    .map(({ candidate }) => candidate)
}

/** " Did you mean 'a' or 'b'?" from the known refs near `ref`, or nothing. Known refs are catalogue text: one line, bounded. */
export function didYouMean(ref: string, known: readonly string[]): string {
  const near = nearestRefs(ref, known).map((candidate) => `'${oneLine(bounded(candidate, 80))}'`)
  if (near.length === 0) return ''
  return ` Did you mean ${near.length > 1 ? `${near.slice(0, -1).join(', ')} or ` : ''}${near.at(-1)}?`
}
