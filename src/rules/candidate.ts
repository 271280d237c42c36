// Reading a verify-first candidate's deploy from its version history. The candidate app is stopped after every run,
// so it has no "before" to compare with: the step's own tag (unique per step, rules/rollout.ts stepTag) names the
// version this step made.
import type { DeployVerdict, HistoryRow } from './rollout.js'

export function judgeCandidateDeploy(after: HistoryRow[], skipped: boolean, tag: string): DeployVerdict {
  const live = after[0]
  if (!live) return { status: 'unverified', reason: 'the candidate app has no deployed version after the deploy' }
  const ours = after.find((row) => row.tag === tag)
  if (ours !== undefined) {
    if (live.version !== ours.version) return { status: 'raced', ourVersion: ours.version, liveVersion: live.version, liveTag: live.tag }
    return { status: 'deployed', version: ours.version }
  }
  // "No changes": a candidate left running by an earlier run (its stop failed) already serves this very definition.
  if (skipped) return { status: 'unchanged', version: live.version }
  return { status: 'unverified', reason: `no version tagged ${tag} appeared in the candidate's history` }
}

/** The app a deploy published, from the `View Deployment:` link (`…/deployed/<app>`); null when it does not say. */
export function appNameOfDeployment(dashboardUrl: string | null): string | null {
  return /\/deployed\/([A-Za-z0-9._-]{1,64})\/?$/.exec(dashboardUrl ?? '')?.[1] ?? null
}
