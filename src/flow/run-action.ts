// The deploy step, in the order it runs: inputs → preflight → (verify-first: the candidate's deploy, smoke call and
// stop) → deploy → verify → smoke call (→ rollback) → report.
// Each phase returns its result; only this flow writes the run's report, from those results. The action and the
// CLI's deploy both run it, each with its own toolkit.
import { ActionError } from '../rules/errors.js'
import { defaultDeployTag, stepTag } from '../rules/rollout.js'
import { redactor } from '../rules/redaction.js'
import { emptyReport, renderPlan, type RunReport } from '../rules/run-report.js'
import type { Settings } from '../rules/settings.js'
import type { ModalApp, ModalClient } from '../modal/client.js'
import { deploy, findPublishedDespiteFailure, type DeployTarget } from './deploy.js'
import { finishGithubDeployment, startGithubDeployment, type DeploymentRecorder } from './github-deployment.js'
import { readRawInputs } from './inputs.js'
import { connectClient, type SessionSource } from './modal-client.js'
import { asActionErrors, Failures, phaseRunner, skipPhase } from './phases.js'
import { moduleDirectory, reportFileTarget, validateInputs } from './inputs-phase.js'
import { optionalSecretsMissing, preflightProblems, runPreflight, secretsFound, type Preflight } from './preflight.js'
import { resolvePreview, skipPreview, tearDownPreview, type PreviewTarget } from './preview.js'
import { finishPreview } from './preview-github.js'
import { publish } from './publish.js'
import { addCallLogs, rollBack, rollbackReport, type RollbackTarget } from './rollback.js'
import { maskStepSecrets, maskTokens, redacting } from './secret-masking.js'
import { runSmokeTests } from './smoke-tests.js'
import type { Toolkit } from './toolkit.js'
import { readBack, verdictError } from './verify.js'
import { plannedCandidate, proveCandidate } from './verify-first.js'

/** What the phases after the preflight share. */
interface Flow {
  kit: Toolkit
  phase: ReturnType<typeof phaseRunner>
  modal: ModalClient
  /** The app this step deploys, in its environment, bound once. */
  app: ModalApp
  settings: Settings
  report: RunReport
  /** Removes the step's secret values from a text (they are all known once the inputs are read). */
  redact: (text: string) => string
}

export async function runAction(givenKit: Toolkit, sessions: SessionSource = {}): Promise<RunReport> {
  const started = givenKit.now()
  const report = emptyReport()
  const secretValues = maskTokens(givenKit)
  // The raw inputs are read once; every phase after gets typed values.
  const raw = readRawInputs(givenKit.getInput)
  // Every text the action writes goes through one redaction step, whatever writes it.
  const kit = redacting(givenKit, secretValues)
  // Known before the inputs are validated: the report file is written on every path, also when they are refused.
  const reportFile = await reportFileTarget(kit, raw)
  const phase = phaseRunner(kit, report.phases)
  // The deploy's output is untrusted text (it includes the module's prints): the runner must not run it as commands.
  const deployLog = kit.untrustedStream()
  let githubDeployment: DeploymentRecorder | null = null
  let client: ModalClient | null = null
  let previewRun: { preview: PreviewTarget; settings: Settings } | null = null
  try {
    const { settings, preview } = await phase('inputs', 'Validate inputs', async () => {
      const validated = await validateInputs(kit, raw)
      secretValues.push(...maskStepSecrets(kit, validated))
      const { settings, preview } = await resolvePreview(kit, validated)
      return { value: { settings, preview }, detail: `${settings.processorRef} → ${settings.appName} in ${settings.environment}` }
    })
    const tag = settings.deploy ? stepTag(settings.deployTag ?? defaultDeployTag(kit.env, new Date(kit.now())), kit.random) : null
    recordSettings(report, settings, tag)
    previewRun = preview === null || preview.action === 'skip' ? null : { preview, settings }
    if (preview?.action === 'skip') {
      skipPreview(kit, report, preview)
      return report
    }
    if (preview?.action === 'deploy') report.preview = { pullRequest: preview.pullRequest, outcome: 'deployed' }
    // One Modal session serves every phase below; it starts with the first check.
    const modal = (client = connectClient(kit, settings, deployLog, sessions, (found) => (report.clientPath = found.modalPath)))
    const app = modal.app(settings.appName, settings.environment)
    if (preview?.action === 'teardown') {
      await tearDownPreview(phase, app, settings, report, preview.pullRequest)
      return report
    }
    const { preflight, moduleDir } = await phase('preflight', 'Preflight: token, environment, secrets', async () => {
      const moduleDir = settings.deploy ? moduleDirectory(kit, settings) : null
      const preflight = await runPreflight(modal, app, settings)
      recordPreflight(report, preflight)
      const problems = preflightProblems(preflight, settings)
      if (problems.length > 0) throw new Failures(problems)
      const live = preflight.liveVersion === null ? 'not deployed yet' : `live version v${preflight.liveVersion}`
      return { value: { preflight, moduleDir }, detail: `${report.secretsFound.length} secret(s) found, ${live}` }
    })
    if (settings.dryRun) {
      kit.info(renderPlan(report))
      skipPhase(report.phases, 'deploy', 'dry run: nothing changed')
      return report
    }
    const flow: Flow = { kit, phase, modal, app, settings, report, redact: redactor(secretValues) }
    let rollbackTarget: RollbackTarget | null = null
    if (moduleDir !== null && tag !== null) {
      // verify-first: the live app is touched only once the release passed as a candidate; until then its version stays.
      if (report.candidate !== null) {
        report.versionAfter = preflight.liveVersion
        await proveCandidate(flow, { moduleDir, tag, preflight })
      }
      githubDeployment = await startGithubDeployment(kit, settings, previewRun?.preview)
      const deployedVersion = await deployAndVerify(flow, { moduleDir, tag, preflight }, () => deployLog.end())
      if (deployedVersion !== null) rollbackTarget = { failedVersion: deployedVersion, previousVersion: preflight.liveVersion }
    } else {
      report.deployOutcome = 'not-requested'
      report.versionAfter = preflight.liveVersion
      skipPhase(report.phases, 'deploy', 'deploy: false')
    }
    await smokeThenRollBack(flow, settings.rollbackOnFailure ? rollbackTarget : null)
  } catch (error) {
    report.errors.push(...asActionErrors(error).map((e) => ({ code: e.code, message: e.message, ...e.details })))
  } finally {
    if (client !== null) {
      await client.close()
      report.notes.push(...client.notes)
    } else {
      sessions.prestarted?.kill() // the inputs were refused: the session never gets a request
    }
    report.durationMs = kit.now() - started
    // What the runner shows comes first: on a cancel, the runner kills the step about 10 s after SIGINT.
    await publish(kit, raw, report, secretValues, reportFile.path === null ? null : { root: reportFile.root, file: reportFile.path })
    await finishGithubDeployment(githubDeployment, report)
    if (previewRun !== null) await finishPreview(kit, previewRun, report, secretValues)
  }
  return report
}

function recordSettings(report: RunReport, settings: Settings, tag: string | null): void {
  report.processorRef = settings.processorRef
  report.imageRef = settings.imageRef
  report.imageDigest = settings.image.digest
  report.environment = settings.environment
  report.appName = settings.appName
  report.mode = settings.mode
  report.dryRun = settings.dryRun
  report.tag = tag
  report.rollout = settings.rollout
  report.candidate = plannedCandidate(settings)
}

function recordPreflight(report: RunReport, preflight: Preflight): void {
  report.clientVersion = preflight.clientVersion
  report.secretsFound = secretsFound(preflight)
  report.optionalSecretsMissing = optionalSecretsMissing(preflight)
  report.appId = preflight.app.exists ? preflight.app.appId : null
  report.versionBefore = preflight.liveVersion
}

/** Deploys, then reads the history back. Returns the version this run made live, or null when nothing changed. */
async function deployAndVerify(
  { kit, phase, modal, app, settings, report }: Flow,
  target: DeployTarget,
  endDeployLog: () => void,
): Promise<number | null> {
  const deployed = await phase('deploy', `Deploy ${settings.appName} to ${settings.environment}`, async () => {
    try {
      const deployed = await deploy(kit, modal, settings, target)
      return { value: deployed, detail: deployed.outcome === 'unchanged' ? 'no changes detected' : `tag ${target.tag}` }
    } catch (error) {
      const published = error instanceof ActionError ? await findPublishedDespiteFailure(app, settings, target, error) : null
      if (published) {
        report.deployedVersion = published.deployedVersion
        report.versionAfter = published.liveVersion
        ;(error as ActionError).message += published.note
      }
      throw error
    } finally {
      endDeployLog()
    }
  })
  report.deployOutcome = deployed.outcome
  report.dashboardUrl = deployed.dashboardUrl
  const verdict = await phase('verify', 'Verify the live version', async () => {
    const verdict = await readBack(app, settings, target, deployed)
    if (verdict.status === 'raced') {
      report.deployedVersion = verdict.ourVersion
      report.versionAfter = verdict.liveVersion
    }
    if (verdict.status === 'raced' || verdict.status === 'unverified') throw verdictError(verdict, settings.appName)
    return { value: verdict, detail: `live v${verdict.version}` }
  })
  report.versionAfter = verdict.version
  report.deployedVersion = verdict.status === 'deployed' ? verdict.version : null
  return report.deployedVersion
}

/** The smoke call; when it fails, the app's recent logs, and a rollback of this run's version when one is due. */
async function smokeThenRollBack(
  { kit, phase, modal, app, settings, report, redact }: Flow,
  rollbackTarget: RollbackTarget | null,
): Promise<void> {
  // This phase's calls only (a verify-first candidate's came before).
  const callsBefore = modal.functionCallIds.length
  try {
    report.smokeStatus = 'failed'
    const smoke = await phase('smoke', `Smoke call (${settings.mode})`, async () => {
      // After a passing candidate, the live version's own results replace the candidate's rows.
      report.smokeTests = []
      const smoke = await runSmokeTests(kit, app, settings, report.versionAfter, { records: report.smokeTests, redact })
      const tests = settings.smokeTests ? `, ${settings.smokeTests.length} smoke test(s) passed` : ''
      return { value: smoke, detail: `run answered in mode ${settings.mode}${tests}` }
    })
    report.appId = smoke.appId
    report.functionCallIds = [...modal.functionCallIds]
    report.smokeOutput = smoke.output
    report.smokeStatus = 'passed'
  } catch (error) {
    const failures = asActionErrors(error)
    const cancelled = failures.some((f) => f.code === 'ERR_CANCELLED')
    report.functionCallIds = [...modal.functionCallIds]
    await addCallLogs(app, failures, modal.functionCallIds.slice(callsBefore).at(-1))
    if (!cancelled && rollbackTarget !== null) {
      const target = rollbackTarget
      const outcome = await phase('rollback', `Roll back to v${target.previousVersion ?? '-'}`, async () => {
        const outcome = await rollBack(app, settings, target)
        if (outcome.status !== 'restored') throw rollbackReport(outcome, settings, target)
        report.rolledBack = true
        report.versionAfter = outcome.liveVersion
        return { value: outcome, detail: `v${target.failedVersion} → v${target.previousVersion} restored as v${outcome.liveVersion}` }
      }).then(
        (restored) => [rollbackReport(restored, settings, target)],
        (rollbackError: unknown) => asActionErrors(rollbackError),
      )
      failures.push(...outcome)
    }
    throw new Failures(failures)
  }
}
