// What `modal-processor prune` stops in an environment: previews of pull requests that are no longer open, and apps of
// processors that left the catalogue. Never a catalogue processor's live app, never an open pull request's preview,
// and never an app whose name is not one this project makes (another team's app in the same environment).
import { candidateAppName, CANDIDATE_SUFFIX, previewAppName } from './naming.js'

export interface PruneApp {
  name: string
  appId: string
  state: string
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

/** `<namespace>-<name>-v<major>` (rules/naming.ts): the shape of every processor's own app name. */
const PROCESSOR_APP = /^[a-z][a-z0-9]{0,23}-[a-z][a-z0-9]*(-[a-z0-9]+)*-v(0|[1-9][0-9]{0,3})$/
/** A name cut to Modal's 64 characters keeps an 8-hex hash of the whole app name before its suffix. */
const CUT_APP = /^[a-z][a-z0-9-]*-[0-9a-f]{8}$/
const PREVIEW = /^(.+)-pr([1-9][0-9]{0,9})$/

function madeHere(prefix: string, whole: string): boolean {
  return PROCESSOR_APP.test(prefix) || (whole.length === 64 && CUT_APP.test(prefix))
}

/** What an app of the environment is to this project, given the catalogue's app names. */
export function classifyApp(name: string, catalogueApps: ReadonlySet<string>): AppKind {
  if (catalogueApps.has(name)) return { kind: 'live' }
  const preview = PREVIEW.exec(name)
  if (preview) {
    const pullRequest = Number(preview[2])
    const ofCatalogue = [...catalogueApps].some((app) => previewAppName(app, pullRequest) === name)
    if (ofCatalogue || madeHere(preview[1], name)) return { kind: 'preview', pullRequest }
  }
  if (name.endsWith(`-${CANDIDATE_SUFFIX}`)) {
    const ofCatalogue = [...catalogueApps].some((app) => candidateAppName(app) === name)
    const prefix = name.slice(0, -CANDIDATE_SUFFIX.length - 1)
    if (ofCatalogue || madeHere(prefix, name)) return { kind: 'candidate', ofCatalogue }
  }
  return PROCESSOR_APP.test(name) ? { kind: 'removed' } : { kind: 'other' }
}

/** The running apps this project made, each with what prune does to it. `openPulls` is needed only for previews. */
export function planPrune(apps: PruneApp[], catalogueApps: ReadonlySet<string>, openPulls: ReadonlySet<number>): PruneRow[] {
  const rows: PruneRow[] = []
  for (const app of apps) {
    const what = classifyApp(app.name, catalogueApps)
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
export function hasPreviews(apps: PruneApp[], catalogueApps: ReadonlySet<string>): boolean {
  return apps.some((app) => classifyApp(app.name, catalogueApps).kind === 'preview')
}
