// The deploy step, in the order it runs: inputs → preflight → deploy → verify → smoke call (→ rollback) → report.
// Each phase returns its result; only this flow writes the run's report, from those results.
import { ActionError, fixFor, type FixValues } from '../rules/errors.js'
import { fixValuesFrom } from '../rules/fix-values.js'
import { defaultDeployTag, stepTag } from '../rules/rollout.js'
import { redactor, redactValue, secretForms } from '../rules/redaction.js'
import { runReportFile } from '../rules/run-report-file.js'
import { bounded, oneLine, safeJson } from '../rules/untrusted-text.js'
import { writeRegularFile } from '../platform/files.js'
import { REGISTRY_KEYS } from '../rules/secrets-policy.js'
import type { ModalClient } from '../modal/client.js'
import { tail } from '../modal/output.js'
import { cancelOnSignals, trackProcess } from '../modal/process.js'
import type { SessionProcess } from '../modal/session-process.js'
import { deploy, findPublishedDespiteFailure, type DeployTarget } from './deploy.js'
import { deploymentRecorder, planDeployment, type DeploymentRecorder } from './github-deployment.js'
import { readRawInputs, type Settings } from './inputs.js'
import { asActionErrors, Failures, phaseRunner, skipPhase } from './phases.js'
import {
  connectClient,
  moduleDirectory,
  keptFromReportFile,
  reportFileTarget,
  optionalSecretsMissing,
  preflightProblems,
  runPreflight,
  secretsFound,
  validateInputs,
  workspacePath,
  type Preflight,
  type SessionSource,
} from './preflight.js'
import { emptyReport, fixValuesOf, renderPlan, renderSummary, reportOutputs, type ReportedError, type RunReport } from './report.js'
import { recentLogs, rollBack, rollbackReport, type RollbackTarget } from './rollback.js'
import { smokeCall } from './smoke-call.js'
import { runnerToolkit, type Toolkit } from './toolkit.js'
import { readBack, verdictError } from './verify.js'

/** `prestarted`: the Modal session process the entry point started while the bundle loaded, if any. */
export async function run(prestarted: SessionProcess | null = null): Promise<void> {
  cancelOnSignals()
  if (prestarted) trackProcess(prestarted.child)
  await runAction(runnerToolkit(), { prestarted })
}

/** Where the run report file goes: `file`, written only inside `root` (the workspace). */
type ReportPlace = { root: string; file: string }

/** What the phases after the preflight share. */
interface Flow {
  kit: Toolkit
  phase: ReturnType<typeof phaseRunner>
  modal: ModalClient
  settings: Settings
  report: RunReport
}

export async function runAction(givenKit: Toolkit, sessions: SessionSource = {}): Promise<RunReport> {
  const started = givenKit.now()
  const report = emptyReport()
  const secretValues = maskTokens(givenKit)
  // Every text the action writes goes through one redaction step, whatever writes it.
  const kit = redacting(givenKit, secretValues)
  // Known before the inputs are validated: the report file is written on every path, also when they are refused.
  const reportFile = (await reportFileTarget(kit)).path
  const phase = phaseRunner(kit, report.phases)
  // The deploy's output is untrusted text (it includes the module's prints): the runner must not run it as commands.
  const deployLog = kit.untrustedStream()
  let githubDeployment: DeploymentRecorder | null = null
  let client: ModalClient | null = null
  try {
    const settings = await phase('inputs', 'Validate inputs', async () => {
      const settings = await validateInputs(kit)
      secretValues.push(...maskStepSecrets(kit, settings))
      return { value: settings, detail: `${settings.processorRef} → ${settings.appName} in ${settings.environment}` }
    })
    const tag = settings.deploy ? stepTag(settings.deployTag ?? defaultDeployTag(kit.env, new Date(kit.now())), kit.random) : null
    recordSettings(report, settings, tag)
    // One Modal session serves every phase below; it starts with the first check.
    const modal = (client = connectClient(kit, settings, deployLog, sessions))
    const { preflight, moduleDir } = await phase('preflight', 'Preflight: token, environment, secrets', async () => {
      const moduleDir = settings.deploy ? moduleDirectory(kit, settings) : null
      const preflight = await runPreflight(modal, settings)
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
    const flow: Flow = { kit, phase, modal, settings, report }
    let rollbackTarget: RollbackTarget | null = null
    if (moduleDir !== null && tag !== null) {
      githubDeployment = await startGithubDeployment(kit, settings)
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
    await publish(kit, report, secretValues, reportFile === null ? null : { root: workspacePath(kit, '.'), file: reportFile })
    await finishGithubDeployment(githubDeployment, report)
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
  { kit, phase, modal, settings, report }: Flow,
  target: DeployTarget,
  endDeployLog: () => void,
): Promise<number | null> {
  const deployed = await phase('deploy', `Deploy ${settings.appName} to ${settings.environment}`, async () => {
    try {
      const deployed = await deploy(kit, modal, settings, target)
      return { value: deployed, detail: deployed.outcome === 'unchanged' ? 'no changes detected' : `tag ${target.tag}` }
    } catch (error) {
      const published = error instanceof ActionError ? await findPublishedDespiteFailure(modal, settings, target, error) : null
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
    const verdict = await readBack(modal, settings, target, deployed)
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
async function smokeThenRollBack({ kit, phase, modal, settings, report }: Flow, rollbackTarget: RollbackTarget | null): Promise<void> {
  try {
    report.smokeStatus = 'failed'
    const smoke = await phase('smoke', `Smoke call (${settings.mode})`, async () => {
      const smoke = await smokeCall(kit, modal, settings, report.versionAfter)
      return { value: smoke, detail: `run answered in mode ${settings.mode}` }
    })
    report.appId = smoke.appId
    report.smokeOutput = smoke.output
    report.smokeStatus = 'passed'
  } catch (error) {
    const failures = asActionErrors(error)
    const cancelled = failures.some((f) => f.code === 'ERR_CANCELLED')
    // The app's own log says more about a failed call; there is none to read when the function does not exist.
    const logs = cancelled || failures[0].code === 'ERR_FUNCTION_NOT_FOUND' ? '' : await recentLogs(modal, settings)
    if (logs) {
      failures[0].details.stderrTail =
        `${failures[0].details.stderrTail ?? ''}\n--- modal app logs ${settings.appName} (last lines) ---\n${logs}`.trim()
    }
    if (!cancelled && rollbackTarget !== null) {
      const target = rollbackTarget
      const outcome = await phase('rollback', `Roll back to v${target.previousVersion ?? '-'}`, async () => {
        const outcome = await rollBack(modal, settings, target)
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

/** Records the rollout as a GitHub Deployment when a token allows it; API trouble is only ever a warning. */
async function startGithubDeployment(kit: Toolkit, settings: Settings): Promise<DeploymentRecorder | null> {
  const plan = planDeployment(
    { token: settings.githubToken, modalEnvironment: settings.environment, description: `${settings.processorRef} → ${settings.appName}` },
    kit.env,
  )
  if (plan.skipped) {
    kit.info(`GitHub Deployment not recorded: ${plan.reason}.`)
    return null
  }
  const warn = (message: string) => kit.annotate('warning', 'GitHub Deployment', message)
  const recorder = deploymentRecorder(plan, warn)
  try {
    return (await recorder.start()) ? recorder : null
  } catch (error) {
    // Whatever the API client does, recording the rollout must never fail the deploy.
    warn(`not recorded: ${(error as Error).message}`)
    return null
  }
}

async function finishGithubDeployment(recorder: DeploymentRecorder | null, report: RunReport): Promise<void> {
  if (recorder === null) return
  const version = report.deployedVersion === null ? '' : ` v${report.deployedVersion}`
  if (report.errors.length === 0) {
    await recorder.finish('success', report.dashboardUrl, `${report.appName}${version} live, smoke call passed`)
    return
  }
  await recorder.finish('failure', report.dashboardUrl, `${report.appName}${version}: ${report.errors[0].code}`)
  if (report.rolledBack) await recorder.markInactive(`${report.appName}${version} replaced by rollback to v${report.versionBefore}`)
}

/** The toolkit with every text it is given redacted of the secret values known so far (the list grows as inputs are read). */
function redacting(kit: Toolkit, secretValues: string[]): Toolkit {
  let known = -1
  let redact = (text: string) => text
  const current = (text: string) => {
    if (known !== secretValues.length) {
      redact = redactor(secretValues)
      known = secretValues.length
    }
    return redact(text)
  }
  return {
    ...kit,
    info: (message) => kit.info(current(message)),
    debug: (message) => kit.debug(current(message)),
    untrusted: (lines) => kit.untrusted(lines.map(current)),
    untrustedStream: () => {
      const stream = kit.untrustedStream()
      return { write: (line) => stream.write(current(line)), end: () => stream.end() }
    },
    annotate: (level, title, message) => kit.annotate(level, title, current(message)),
    setOutput: (name, value) => kit.setOutput(name, current(value)),
    writeSummary: (markdown) => kit.writeSummary(current(markdown)),
  }
}

/** Masks each value in the log (in every form it may be printed in) and returns it for redaction. */
function mask(kit: Toolkit, values: (string | undefined)[]): string[] {
  const secrets = values.filter((v): v is string => v !== undefined && secretForms(v).length > 0)
  for (const form of secrets.flatMap(secretForms)) kit.setSecret(form)
  return secrets
}

function maskTokens(kit: Toolkit): string[] {
  return mask(kit, [kit.env.MODAL_TOKEN_ID, kit.env.MODAL_TOKEN_SECRET])
}

/**
 * The GitHub token, and the values of variables named like the processor's secrets when the step environment has
 * them (a workflow often exports OPENAI_API_KEY too): masked in the log and removed from everything the action
 * writes, in case a processor or a command prints one. A registry user name is not a secret.
 */
function maskStepSecrets(kit: Toolkit, settings: Settings): string[] {
  const names = [...settings.toolSecrets.map((s) => s.name), ...REGISTRY_KEYS.filter((key) => key !== 'REGISTRY_USERNAME')]
  // Own variables only: a secret named `constructor` must not read the environment object's prototype.
  return mask(kit, [settings.githubToken, ...names.map((name) => (Object.hasOwn(kit.env, name) ? kit.env[name] : undefined))])
}

function annotationText(error: ReportedError, kit: Toolkit, values: FixValues): string {
  const parts = [bounded(error.message, 4000)]
  if (error.command) parts.push(`Command: ${error.command}`)
  if (error.stderrTail) parts.push(`Last output:\n${tail(error.stderrTail, 30, 3000)}`)
  parts.push(`Fix: ${fixFor(error, kit.surface, values)}`)
  return parts.join('\n')
}

/** The values the fixes name: the run's, or (when the inputs were refused) those of the inputs that are valid. */
function fixValues(kit: Toolkit, report: RunReport): FixValues {
  const raw = readRawInputs(kit.getInput)
  const given = fixValuesFrom({ env: raw['modal-environment'], ref: raw['processor-ref'], app: raw['app-name'], command: 'deploy' })
  const run = fixValuesOf(report)
  return { env: run.env ?? given.env, ref: run.ref ?? given.ref, app: run.app ?? given.app, command: given.command }
}

/**
 * Outputs, annotations and summary: written on every path, with known secret values removed first. Each writer fails
 * alone, with a warning: a report that cannot be written where one is asked never hides the others.
 */
async function publish(kit: Toolkit, report: RunReport, secretValues: string[], reportFile: ReportPlace | null): Promise<void> {
  const redact = redactor(secretValues)
  // `kit` redacts what it writes; the report's errors are redacted in place too, before any truncation can cut a value
  // in two (the CLI prints them as JSON).
  // The smoke output is cut to size when it becomes an output: redacted first, so no cut leaves half a secret.
  report.smokeOutput = redactValue(report.smokeOutput, redact)
  for (const error of report.errors) {
    error.message = redact(error.message)
    if (error.stderrTail) error.stderrTail = redact(error.stderrTail)
    if (error.command) error.command = redact(error.command)
  }
  const unwritten: string[] = []
  for (const [name, value] of Object.entries(reportOutputs(report))) {
    try {
      kit.setOutput(name, value)
    } catch (error) {
      unwritten.push(`${name} (${(error as Error).message})`)
    }
  }
  if (unwritten.length > 0)
    kit.annotate('warning', 'Outputs not written', `The step's outputs could not be written: ${unwritten.join('; ')}`)
  for (const error of report.errors) kit.annotate('error', error.code, annotationText(error, kit, fixValues(kit, report)))
  if (report.errors.length === 0 && !report.dryRun) {
    kit.info(`${report.appName} v${report.versionAfter} is live in ${report.environment} and answered the smoke call.`)
  }
  if (report.errors.length > 0) kit.fail()
  await Promise.resolve()
    .then(() => kit.writeSummary(renderSummary(report, fixValues(kit, report))))
    .catch((error: Error) => kit.annotate('warning', 'Job summary not written', error.message))
  if (reportFile !== null) {
    // Checked again as it is written: the deploy ran the user's module, which may have put a symlink there since.
    const json = redact(`${safeJson(runReportFile(report), 2)}\n`)
    await writeRegularFile(reportFile.root, reportFile.file, json, keptFromReportFile(kit)).catch((error: Error) =>
      kit.annotate(
        'warning',
        'Report file not written',
        `${bounded(oneLine(reportFile.file), 500)} ${bounded(oneLine(error.message), 500)}`,
      ),
    )
  }
}
