// What `modal-processor prune` stops in an environment: only apps it can attribute to this repository. Previews of pull
// requests that are no longer open (`<app>-pr<N>` of a processor of the catalogue, or of one it had before), and the
// apps and candidates of processors that left the catalogue (known from the catalogue file's git history). Never a
// catalogue processor's live app or candidate, never an open pull request's preview, and never an app whose name is
// only shaped like one of ours: another team's `billing-api-v2` in the same environment is not listed at all.
import { appNameOf, candidateAppName, parseProcessorRef, previewAppName } from './naming.js'

export interface PruneApp {
  name: string
  appId: string
  state: string
}

/** The app names prune may attribute to this repository. */
export interface Attribution {
  /** The apps of the processors in the catalogue now. */
  catalogueApps: ReadonlySet<string>
  /** The apps of processors an earlier version of the catalogue had and this one does not (its git history). */
  formerApps: ReadonlySet<string>
}

export type AppKind =
  | { kind: 'live' }
  | { kind: 'preview'; pullRequest: number }
  | { kind: 'candidate'; ofCatalogue: boolean }
  | { kind: 'removed' }
  | { kind: 'other' }

export interface PruneRow {
  app: string
  appId: string
  state: string
  kind: 'live' | 'preview' | 'candidate' | 'removed'
  pullRequest: number | null
  action: 'keep' | 'stop'
  reason: string
}

const PREVIEW = /-pr([1-9][0-9]{0,9})$/

/** The app names of the valid processor refs of a catalogue's text (any version of it), or [] when it is not one. */
export function catalogueAppNames(text: string): string[] {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    return []
  }
  const processors = (document as { processors?: unknown } | null)?.processors
  if (typeof processors !== 'object' || processors === null || Array.isArray(processors)) return []
  return Object.keys(processors).flatMap((ref) => {
    const parsed = parseProcessorRef(ref)
    return parsed.ok ? [appNameOf(parsed.value)] : []
  })
}

/** The apps of processors the catalogue's earlier versions had and the current one does not. */
export function formerAppNames(versions: string[], catalogueApps: ReadonlySet<string>): Set<string> {
  return new Set(versions.flatMap(catalogueAppNames).filter((app) => !catalogueApps.has(app)))
}

/** What an app of the environment is to this repository; `other` is anything it cannot attribute to it. */
export function classifyApp(name: string, { catalogueApps, formerApps }: Attribution): AppKind {
  if (catalogueApps.has(name)) return { kind: 'live' }
  if (formerApps.has(name)) return { kind: 'removed' }
  const ours = [...catalogueApps, ...formerApps]
  const preview = PREVIEW.exec(name)
  if (preview) {
    const pullRequest = Number(preview[1])
    if (ours.some((app) => previewAppName(app, pullRequest) === name)) return { kind: 'preview', pullRequest }
  }
  if ([...catalogueApps].some((app) => candidateAppName(app) === name)) return { kind: 'candidate', ofCatalogue: true }
  if ([...formerApps].some((app) => candidateAppName(app) === name)) return { kind: 'candidate', ofCatalogue: false }
  return { kind: 'other' }
}

/** The running apps attributed to this repository, each with what prune does to it. `openPulls` only for previews. */
export function planPrune(apps: PruneApp[], attribution: Attribution, openPulls: ReadonlySet<number>): PruneRow[] {
  const rows: PruneRow[] = []
  for (const app of apps) {
    const what = classifyApp(app.name, attribution)
    const row = { app: app.name, appId: app.appId, state: app.state, pullRequest: null }
    switch (what.kind) {
      case 'live':
        rows.push({ ...row, kind: 'live', action: 'keep', reason: 'live app of a catalogue processor' })
        break
      case 'preview': {
        const open = openPulls.has(what.pullRequest)
        const reason = open ? `pull request #${what.pullRequest} is open` : `pull request #${what.pullRequest} is no longer open`
        rows.push({ ...row, kind: 'preview', pullRequest: what.pullRequest, action: open ? 'keep' : 'stop', reason })
        break
      }
      case 'candidate':
        // A catalogue processor's candidate may be in use by a verify-first run going on now: never stopped here.
        rows.push({
          ...row,
          kind: 'candidate',
          action: what.ofCatalogue ? 'keep' : 'stop',
          reason: what.ofCatalogue ? 'candidate of a catalogue processor' : 'candidate of a processor no longer in the catalogue',
        })
        break
      case 'removed':
        rows.push({ ...row, kind: 'removed', action: 'stop', reason: 'processor no longer in the catalogue' })
        break
      case 'other':
        break
    }
  }
  return rows
}

/** Whether any app is a preview: only then does prune need GitHub's list of open pull requests. */
export function hasPreviews(apps: PruneApp[], attribution: Attribution): boolean {
  return apps.some((app) => classifyApp(app.name, attribution).kind === 'preview')
}
