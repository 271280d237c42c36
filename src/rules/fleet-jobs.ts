// How many jobs a fleet deploy takes: GitHub refuses a matrix of more than 256 jobs, so past a limit the planned
// processors are packed into batches (each deployed by one `modal-processor deploy --refs …` through one session).

/** GitHub's own limit on the jobs of one matrix. */
export const GITHUB_MAX_MATRIX_JOBS = 256

/**
 * The processors grouped into jobs: one each while they fit in `maxJobs`; beyond it exactly `maxJobs` jobs of
 * consecutive processors in the given order, the first ones one larger when the count does not divide evenly (so sizes
 * differ by one at most). The same input always gives the same jobs.
 */
export function packJobs<T>(items: readonly T[], maxJobs: number): T[][] {
  if (!Number.isInteger(maxJobs) || maxJobs < 1) throw new RangeError(`maxJobs must be a positive integer, got ${maxJobs}`)
  if (items.length <= maxJobs) return items.map((item) => [item])
  const small = Math.floor(items.length / maxJobs)
  const larger = items.length % maxJobs
  const jobs: T[][] = []
  let start = 0
  for (let job = 0; job < maxJobs; job++) {
    const size = job < larger ? small + 1 : small
    jobs.push(items.slice(start, start + size))
    start += size
  }
  return jobs
}

/** `--max-jobs`: a whole number from 1 to GitHub's limit; null when it is not one. */
export function parseMaxJobs(text: string): number | null {
  if (!/^\d{1,3}$/.test(text.trim())) return null
  const value = Number(text.trim())
  return value >= 1 && value <= GITHUB_MAX_MATRIX_JOBS ? value : null
}

/**
 * One line for the plan's notes: how many processors, grouped by the kind of reason, and how many jobs they take. A
 * reason's details (the folder that changed) are kept when the whole group shares them, and else left to --verbose.
 */
export function planSummary(reasons: readonly string[], jobs: number, catalogueSize: number): string {
  const groups = new Map<string, { count: number; reasons: Set<string> }>()
  for (const reason of reasons) {
    const kind = reason.replace(/ \(.*$/s, '')
    const group = groups.get(kind) ?? { count: 0, reasons: new Set<string>() }
    group.count++
    group.reasons.add(reason)
    groups.set(kind, group)
  }
  const why = [...groups].map(([kind, group]) => `${group.count} ${group.reasons.size === 1 ? [...group.reasons][0] : kind}`).join('; ')
  const processors = `${reasons.length} of ${catalogueSize} processor${catalogueSize === 1 ? '' : 's'}`
  const packed = jobs < reasons.length ? `, packed into ${jobs} job${jobs === 1 ? '' : 's'}` : ''
  return `Planned ${processors}${why ? ` (${why})` : ''}${packed}.`
}
