// Reading a deploy's effect from the version history before and after it: which version is ours, and whether
// another deploy raced it.

/** One version of an app, as `modal app history --json` lists it. */
export interface HistoryRow {
  version: number
  tag: string | null
  timeDeployed: string | null
  deployedBy: string | null
}

export type DeployVerdict =
  | { status: 'deployed'; version: number }
  | { status: 'unchanged'; version: number }
  | { status: 'raced'; ourVersion: number | null; liveVersion: number; liveTag: string | null }
  | { status: 'unverified'; reason: string }

export function judgeDeploy(before: HistoryRow[], after: HistoryRow[], skipped: boolean, tag: string): DeployVerdict {
  const previous = before[0]?.version ?? null
  const live = after[0]
  if (!live) return { status: 'unverified', reason: 'the app has no deployed version after the deploy' }
  const created = after.filter((row) => previous === null || row.version > previous)
  // Our tag identifies our version, even when the output said "skipped": an earlier attempt of a retried deploy may
  // have published it before failing.
  const ours = created.find((row) => row.tag === tag) ?? null
  if (ours !== null) {
    if (live.version !== ours.version) return { status: 'raced', ourVersion: ours.version, liveVersion: live.version, liveTag: live.tag }
    return { status: 'deployed', version: ours.version }
  }
  if (created.length === 0) {
    if (skipped) return { status: 'unchanged', version: live.version }
    return { status: 'unverified', reason: `no version newer than v${previous} appeared after the deploy` }
  }
  // A new version that is not ours: someone else deployed meanwhile.
  return { status: 'raced', ourVersion: null, liveVersion: live.version, liveTag: live.tag }
}

/** The deploy tag for provenance: commit and run, within Modal's tag rule (≤50 of [A-Za-z0-9._-]). */
export function defaultDeployTag(env: NodeJS.ProcessEnv, now: Date): string {
  const safe = (value: string | undefined) => (value ?? '').replace(/[^a-zA-Z0-9]/g, '')
  const sha = safe(env.GITHUB_SHA).slice(0, 12)
  const run = safe(env.GITHUB_RUN_ID)
  if (sha && run) return `${sha}-r${run}.${safe(env.GITHUB_RUN_ATTEMPT) || '1'}`.slice(0, 50)
  return `local-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`
}

/**
 * The tag this step deploys with: the given (or default) tag and a suffix of its own, so that two steps given the same
 * tag (two jobs of one run, `deploy-tag: ${{ github.sha }}`) each find their own version, and a race is seen.
 */
export function stepTag(base: string, random: () => number): string {
  const suffix = Math.floor(random() * 0x1000000)
    .toString(16)
    .padStart(6, '0')
  return `${base.slice(0, 50 - 7)}-${suffix}`
}
