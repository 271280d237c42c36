// `rollout: verify-first`: before the live app is touched, the release is deployed as a candidate app beside it
// (rules/naming.ts candidateAppName: same module, image, tag and environment), read back, and smoke-called pinned to
// the candidate's version. Only a passing candidate lets the flow go on to the live deploy; a failing one fails the
// step with the smoke call's verdict while the live app keeps its version. The candidate is stopped after the verdict
// either way; a candidate that cannot be stopped is a warning, not a failed release.
import { candidateAppName } from '../rules/naming.js'
import { ActionError, ERROR_CATALOG, fixFor, fixTemplate } from '../rules/errors.js'
import { appNameOfDeployment, judgeCandidateDeploy } from '../rules/candidate.js'
import type { CandidateRecord, RunReport } from '../rules/run-report.js'
import type { Settings } from '../rules/settings.js'
import type { ModalApp, ModalClient } from '../modal/client.js'
import { deploy, type DeployTarget } from './deploy.js'
import { asActionErrors, Failures, type phaseRunner } from './phases.js'
import { addCallLogs, rollBack, rollbackReport } from './rollback.js'
import { runSmokeTests } from './smoke-tests.js'
import type { Toolkit } from './toolkit.js'
import { verdictError } from './verify.js'

/** What the candidate's phases share with the rest of the flow. */
export interface CandidateFlow {
  kit: Toolkit
  phase: ReturnType<typeof phaseRunner>
  modal: ModalClient
  /** The live app, in its environment. */
  app: ModalApp
  settings: Settings
  report: RunReport
  /** Removes the step's secret values from a text (the smoke tests' mismatch lines). */
  redact: (text: string) => string
}

/** The candidate as the report shows it before anything ran (also what a dry run's plan names). */
export function plannedCandidate(settings: Settings): CandidateRecord | null {
  if (settings.rollout !== 'verify-first' || !settings.deploy) return null
  return { appName: candidateAppName(settings.appName), version: null, status: 'not-run', stopped: false }
}

/**
 * Deploys, reads back and smoke-calls the candidate, then stops it. Returns when it passed; throws the failures
 * (the smoke call's or the deploy's first, then ERR_CANDIDATE_REFUSED) when it did not. The live app is not touched,
 * unless a module that ignores MODAL_APP_NAME deployed it instead of the candidate: that version is rolled back.
 */
export async function proveCandidate(flow: CandidateFlow, target: DeployTarget): Promise<void> {
  const { report, settings } = flow
  const candidate = (report.candidate ??= plannedCandidate(settings)!)
  // The same settings with the candidate's name: modal_app.py deploys the app MODAL_APP_NAME names (flow/deploy.ts).
  const asCandidate: Settings = { ...settings, appName: candidate.appName }
  const candidateApp = flow.modal.app(candidate.appName, settings.environment)
  let failures: ActionError[] = []
  try {
    candidate.version = await deployCandidate(flow, asCandidate, candidateApp, target)
    await smokeCandidate(flow, asCandidate, candidateApp, candidate.version)
    candidate.status = 'passed'
  } catch (error) {
    candidate.status = 'failed'
    failures = asActionErrors(error)
  }
  const cancelled = failures.some((f) => f.code === 'ERR_CANCELLED')
  if (cancelled) {
    // The runner ends a cancelled step within seconds: no new Modal command is started; the way to clean up is said.
    report.notes.push(`The candidate ${candidate.appName} may still be deployed: ${candidateApp.stopCommand}`)
  } else {
    await stopCandidate(flow, candidateApp, candidate)
  }
  if (failures.length === 0) return
  // A module that names its app itself (not from MODAL_APP_NAME) deployed the live app instead: say so, and undo it.
  const stray = cancelled || candidate.version !== null ? null : await strayLiveVersion(flow, target)
  if (stray !== null) {
    failures = failures.filter((f) => f.code !== 'ERR_CANDIDATE_NOT_SEPARATE')
    failures.push(...(await undoStrayDeploy(flow, target, stray)))
  } else if (!cancelled) failures.push(refusal(settings, candidate, target))
  throw new Failures(failures)
}

async function deployCandidate(
  { kit, phase, modal }: CandidateFlow,
  asCandidate: Settings,
  candidateApp: ModalApp,
  target: DeployTarget,
): Promise<number> {
  const { appName, environment } = asCandidate
  return phase('candidate-deploy', `Deploy the candidate ${appName} to ${environment}`, async () => {
    const deployed = await deploy(kit, modal, asCandidate, target)
    const deployedTo = appNameOfDeployment(deployed.dashboardUrl)
    if (deployedTo !== null && deployedTo !== appName) throw notSeparate(deployedTo, appName)
    const history = await candidateApp.history(asCandidate.timeouts.preflight * 1000)
    const verdict = judgeCandidateDeploy(history, deployed.outcome === 'unchanged', target.tag)
    if (verdict.status === 'raced' || verdict.status === 'unverified') throw verdictError(verdict, appName)
    const detail =
      verdict.status === 'unchanged' ? `v${verdict.version} already held this release` : `v${verdict.version}, tag ${target.tag}`
    return { value: verdict.version, detail }
  })
}

async function smokeCandidate(
  { kit, phase, modal, report, redact }: CandidateFlow,
  asCandidate: Settings,
  candidateApp: ModalApp,
  version: number,
): Promise<void> {
  const callsBefore = modal.functionCallIds.length
  try {
    await phase('candidate-smoke', `Smoke call of the candidate, pinned to v${version} (${asCandidate.mode})`, async () => {
      // The same smoke tests as the live app's; their rows are the candidate's until the live deploy runs them again.
      await runSmokeTests(kit, candidateApp, asCandidate, version, { records: report.smokeTests, redact })
      return { value: null, detail: `${asCandidate.appName} v${version} answered in mode ${asCandidate.mode}` }
    })
  } catch (error) {
    // The tests' verdict: the smoke status of the release is the candidate's.
    report.smokeStatus = 'failed'
    report.functionCallIds = [...modal.functionCallIds]
    const failures = asActionErrors(error)
    const first = failures[0]
    // The catalogue's fix names the app whose logs to read: here, the candidate's.
    const fix = first.details.fix ?? ERROR_CATALOG[first.code].fix
    first.details.fix = {
      action: fixTemplate(fix, 'action').replaceAll('{app}', asCandidate.appName),
      cli: fixTemplate(fix, 'cli').replaceAll('{app}', asCandidate.appName),
    }
    await addCallLogs(candidateApp, failures, modal.functionCallIds.slice(callsBefore).at(-1))
    throw new Failures(failures)
  }
}

async function stopCandidate(
  { kit, phase, settings, report }: CandidateFlow,
  candidateApp: ModalApp,
  candidate: CandidateRecord,
): Promise<void> {
  const appName = candidateApp.name
  await phase('candidate-stop', `Stop the candidate ${appName}`, async () => {
    const stopped = await candidateApp.stop(settings.timeouts.preflight * 1000)
    if (stopped.status !== 'failed') {
      candidate.stopped = true
      return { value: null, detail: stopped.status === 'stopped' ? `${appName} stopped` : `${appName} was not running` }
    }
    // A warning with its code: the release's verdict does not depend on the cleanup.
    const warning = new ActionError(
      'ERR_CANDIDATE_STOP_FAILED',
      `The candidate ${appName} could not be stopped: ${stopped.message}. Stop it by hand: ${candidateApp.stopCommand}`,
    )
    const text = `${warning.message}\nFix: ${fixFor(warning, kit.surface)}`
    kit.annotate('warning', warning.code, stopped.stderrTail ? `${text}\nLast output:\n${stopped.stderrTail}` : text)
    // Also in the summary's notes: an annotation alone is easy to miss on a green run.
    report.notes.push(`${warning.code}: ${warning.message}`)
    return { value: null, detail: `warning ${warning.code}: ${appName} not stopped` }
  })
}

function refusal(settings: Settings, candidate: CandidateRecord, target: DeployTarget): ActionError {
  const live = target.preflight.liveVersion
  const stayed =
    live === null
      ? `${settings.appName} was not deployed (it has no live version yet)`
      : `${settings.appName} was not touched: v${live} stays live`
  const where =
    candidate.version === null
      ? `could not be deployed as the candidate ${candidate.appName}`
      : `failed as the candidate ${candidate.appName} v${candidate.version}`
  return new ActionError('ERR_CANDIDATE_REFUSED', `The release ${where}, so ${stayed}.`)
}

function notSeparate(deployedTo: string, candidate: string): ActionError {
  return new ActionError(
    'ERR_CANDIDATE_NOT_SEPARATE',
    `modal deploy published the app ${deployedTo}, not the candidate ${candidate}: the module names its app itself instead of reading MODAL_APP_NAME.`,
  )
}

/** The live app's version this step's tag made, newer than the one live before: a deploy that missed the candidate. */
async function strayLiveVersion({ app, settings }: CandidateFlow, target: DeployTarget): Promise<number | null> {
  const history = await app.history(settings.timeouts.preflight * 1000).catch(() => null)
  const before = target.preflight.liveVersion
  return history?.find((row) => row.tag === target.tag && (before === null || row.version > before))?.version ?? null
}

/** The untested version the stray deploy made live is rolled back as a failed smoke call's would be. */
async function undoStrayDeploy(
  { phase, app, settings, report }: CandidateFlow,
  target: DeployTarget,
  stray: number,
): Promise<ActionError[]> {
  report.deployedVersion = stray
  report.versionAfter = stray
  const failures = [
    new ActionError(
      'ERR_CANDIDATE_NOT_SEPARATE',
      `The candidate's deploy went to the live app ${settings.appName} as v${stray}, which was live without a smoke call.`,
    ),
  ]
  if (!settings.rollbackOnFailure) return failures
  const rollbackTarget = { failedVersion: stray, previousVersion: target.preflight.liveVersion }
  const outcome = await phase('rollback', `Roll back to v${rollbackTarget.previousVersion ?? '-'}`, async () => {
    const outcome = await rollBack(app, settings, rollbackTarget)
    if (outcome.status !== 'restored') throw rollbackReport(outcome, settings, rollbackTarget)
    report.rolledBack = true
    report.versionAfter = outcome.liveVersion
    return { value: outcome, detail: `v${stray} → v${rollbackTarget.previousVersion} restored as v${outcome.liveVersion}` }
  }).then(
    (restored) => [rollbackReport(restored, settings, rollbackTarget)],
    (rollbackError: unknown) => asActionErrors(rollbackError),
  )
  return [...failures, ...outcome]
}
