// A pull request's preview (the `preview` input, the CLI's --preview N): which PR, and whether to deploy its preview
// app, stop it, or skip; and the teardown itself. The deploy of a preview is the live deploy's flow with the app name
// `<app>-pr<N>` (rules/naming.ts), so it is verified and smoke-tested the same way and never touches the live app.
import { ActionError } from '../rules/errors.js'
import { previewAppName } from '../rules/naming.js'
import { decidePreview } from '../rules/preview.js'
import type { RunReport } from '../rules/run-report.js'
import type { Settings } from '../rules/settings.js'
import { FileRefused, readRegularFile } from '../platform/files.js'
import type { ModalApp } from '../modal/client.js'
import { skipPhase, type phaseRunner } from './phases.js'
import type { Toolkit } from './toolkit.js'

/** A pull request event's payload is a few hundred KiB at most; nothing past this is read. */
const MAX_EVENT_BYTES = 16 * 1024 * 1024

export interface PreviewTarget {
  action: 'deploy' | 'teardown'
  pullRequest: number
  /** The processor's own app, which a preview never touches. */
  liveApp: string
  /** The PR's head commit (the event's), for the comment; null from the CLI. */
  headSha: string | null
}

export type Preview = PreviewTarget | { action: 'skip'; pullRequest: number | null; reason: string }

async function readEvent(file: string | undefined): Promise<unknown> {
  if (!file) return null
  try {
    return JSON.parse(await readRegularFile(file, MAX_EVENT_BYTES)) as unknown
  } catch (error) {
    if (error instanceof FileRefused || error instanceof SyntaxError) return null
    throw error
  }
}

/**
 * What the run does for a preview, and the settings it deploys with (the preview's app name). A `preview: true` run
 * on an event that is no pull request event is ERR_PREVIEW_EVENT, before anything changes.
 */
export async function resolvePreview(kit: Toolkit, settings: Settings): Promise<{ settings: Settings; preview: Preview | null }> {
  if (settings.preview === null) return { settings, preview: null }
  let target: Preview
  if (typeof settings.preview === 'number') {
    target = { action: 'deploy', pullRequest: settings.preview, liveApp: settings.appName, headSha: null }
  } else {
    const decision = decidePreview({
      eventName: kit.env.GITHUB_EVENT_NAME ?? '',
      payload: await readEvent(kit.env.GITHUB_EVENT_PATH),
      repository: kit.env.GITHUB_REPOSITORY ?? '',
      modalTokenPresent: Boolean(kit.env.MODAL_TOKEN_ID && kit.env.MODAL_TOKEN_SECRET),
    })
    if (decision.kind === 'refuse') throw new ActionError('ERR_PREVIEW_EVENT', decision.message)
    target =
      decision.kind === 'skip'
        ? { action: 'skip', pullRequest: decision.pullRequest, reason: decision.reason }
        : {
            action: decision.kind,
            pullRequest: decision.pullRequest,
            liveApp: settings.appName,
            headSha: decision.kind === 'deploy' ? decision.headSha : null,
          }
  }
  if (target.action === 'skip') return { settings, preview: target }
  return { settings: { ...settings, appName: previewAppName(settings.appName, target.pullRequest) }, preview: target }
}

/** A skipped preview: a notice that says why, `smoke-status: skipped`, and no Modal call at all. */
export function skipPreview(kit: Toolkit, report: RunReport, preview: { pullRequest: number | null; reason: string }): void {
  kit.annotate('notice', 'Preview skipped', `No preview deployed: ${preview.reason}.`)
  report.smokeStatus = 'skipped'
  report.appName = null
  report.preview = { pullRequest: preview.pullRequest, outcome: 'skipped' }
  skipPhase(report.phases, 'deploy', 'preview skipped')
}

/** The PR was closed: its preview app is stopped; one already stopped, or never deployed, is fine. */
export async function tearDownPreview(
  phase: ReturnType<typeof phaseRunner>,
  app: ModalApp,
  settings: Settings,
  report: RunReport,
  pullRequest: number,
): Promise<void> {
  skipPhase(report.phases, 'deploy', 'pull request closed: nothing deployed')
  const outcome = await phase('teardown', `Stop the preview ${settings.appName} in ${settings.environment}`, async () => {
    const stopped = await app.stop(settings.timeouts.preflight * 1000)
    if (stopped.status === 'failed')
      throw new ActionError('ERR_PREVIEW_TEARDOWN_FAILED', `The preview ${app.name} could not be stopped: ${stopped.message}`, {
        command: app.stopCommand,
        stderrTail: stopped.stderrTail,
      })
    return {
      value: stopped.status,
      detail: stopped.status === 'stopped' ? 'stopped' : 'nothing to stop (already stopped or never deployed)',
    }
  })
  report.preview = { pullRequest, outcome: 'removed' }
  report.notes.push(
    outcome === 'stopped'
      ? `The preview app ${settings.appName} was stopped: its pull request was closed.`
      : `The preview app ${settings.appName} had nothing to stop (already stopped, or never deployed).`,
  )
}
