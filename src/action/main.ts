// The deploy step, in the order it runs: inputs → preflight → deploy → verify → smoke call (→ rollback) → report.
import { deploy, noteVersionPublishedDespiteFailure, recentLogs, rollBack, verify } from './deploy.js'
import { ActionError, ERROR_CATALOG } from '../rules/errors.js'
import { deploymentRecorder, planDeployment, type DeploymentRecorder } from './github-deployment.js'
import type { Settings } from './inputs.js'
import type { ModalClient } from '../modal/client.js'
import { tail } from '../modal/output.js'
import { asActionErrors, Failures, phaseRunner, skipPhase } from './phases.js'
import { connectClient, describeSettings, moduleDirectory, runPreflight, validateInputs } from './preflight.js'
import { emptyReport, renderPlan, renderSummary, reportOutputs, type ReportedError, type RunReport } from './report.js'
import { defaultDeployTag } from '../rules/rollout.js'
import { smokeCall } from './smoke-call.js'
import { REGISTRY_KEYS } from '../rules/secrets-policy.js'
import { cancelRunningProcesses, trackProcess } from '../modal/process.js'
import type { SessionProcess } from '../modal/session-process.js'
import { runnerToolkit, type Toolkit } from './toolkit.js'

/** `prestarted`: the Modal session process the entry point started while the bundle loaded, if any. */
export async function run(prestarted: SessionProcess | null = null): Promise<void> {
  // The runner cancels a job with SIGINT, then SIGTERM: stop the Modal session so the run still reports what
  // happened (outputs, summary) instead of dying with a deploy running on behind it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, cancelRunningProcesses)
  if (prestarted) trackProcess(prestarted.child)
  await runAction(runnerToolkit(), prestarted)
}

export async function runAction(kit: Toolkit, prestarted: SessionProcess | null = null): Promise<RunReport> {
  const started = kit.now()
  const report = emptyReport()
  const secretValues = maskTokens(kit)
  const phase = phaseRunner(kit, report)
  // The deploy's output is untrusted text (it includes the module's prints): the runner must not run it as commands.
  const deployLog = kit.untrustedStream()
  let githubDeployment: DeploymentRecorder | null = null
  let client: ModalClient | null = null
  try {
    const settings = await phase('inputs', 'Validate inputs', async () => {
      const settings = validateInputs(kit)
      describeSettings(report, settings)
      secretValues.push(...maskStepSecrets(kit, settings))
      report.tag = settings.deploy ? (settings.deployTag ?? defaultDeployTag(kit.env, new Date(kit.now()))) : null
      return { value: settings, detail: `${settings.processorRef} → ${settings.appName} in ${settings.environment}` }
    })
    // One Modal session serves every phase below; it starts with the first check.
    const modal = (client = connectClient(kit, settings, deployLog, prestarted))
    const { found, moduleDir } = await phase('preflight', 'Preflight: token, environment, secrets', async () => {
      const moduleDir = settings.deploy ? moduleDirectory(kit, settings) : null
      const found = await runPreflight(modal, settings, report)
      const live = found.app.exists ? `live version v${report.versionBefore}` : 'not deployed yet'
      return { value: { found, moduleDir }, detail: `${report.secretsFound.length} secret(s) found, ${live}` }
    })
    if (settings.dryRun) {
      kit.info(renderPlan(report))
      skipPhase(report, 'deploy', 'dry run: nothing changed')
      return report
    }
    if (moduleDir !== null) {
      githubDeployment = await startGithubDeployment(kit, settings)
      await phase('deploy', `Deploy ${settings.appName} to ${settings.environment}`, async () => {
        try {
          await deploy(kit, modal, settings, found, moduleDir, report)
        } catch (error) {
          deployLog.end()
          if (error instanceof ActionError) await noteVersionPublishedDespiteFailure(modal, settings, found, report, error)
          throw error
        }
        deployLog.end()
        return { value: undefined, detail: report.deployOutcome === 'unchanged' ? 'no changes detected' : `tag ${report.tag}` }
      })
      await phase('verify', 'Verify the live version', async () => {
        await verify(modal, settings, found, report)
        return { value: undefined, detail: `live v${report.versionAfter}` }
      })
    } else {
      report.deployOutcome = 'not-requested'
      report.versionAfter = report.versionBefore
      skipPhase(report, 'deploy', 'deploy: false')
    }
    await smokeThenRollBack(kit, phase, modal, settings, report)
  } catch (error) {
    report.errors.push(...asActionErrors(error).map((e) => ({ code: e.code, message: e.message, ...e.details })))
  } finally {
    if (client !== null) {
      await client.close()
      report.notes.push(...client.notes)
    } else {
      prestarted?.kill() // the inputs were refused: the session never gets a request
    }
    await finishGithubDeployment(githubDeployment, report)
    report.durationMs = kit.now() - started
    await publish(kit, report, secretValues)
  }
  return report
}

async function smokeThenRollBack(
  kit: Toolkit,
  phase: ReturnType<typeof phaseRunner>,
  client: ModalClient,
  settings: Settings,
  report: RunReport,
): Promise<void> {
  try {
    await phase('smoke', `Smoke call (${settings.mode})`, async () => {
      await smokeCall(kit, client, settings, report)
      return { value: undefined, detail: `run answered in mode ${settings.mode}` }
    })
  } catch (error) {
    const failures = asActionErrors(error)
    const cancelled = failures.some((f) => f.code === 'ERR_CANCELLED')
    // The app's own log says more about a failed call; there is none to read when the function does not exist.
    const logs = cancelled || failures[0].code === 'ERR_FUNCTION_NOT_FOUND' ? '' : await recentLogs(client, settings)
    if (logs)
      failures[0].details.stderrTail =
        `${failures[0].details.stderrTail ?? ''}\n--- modal app logs ${settings.appName} (last lines) ---\n${logs}`.trim()
    if (!cancelled && settings.rollbackOnFailure && report.deployOutcome === 'deployed' && report.deployedVersion !== null) {
      const rollbackProblems = await phase('rollback', `Roll back to v${report.versionBefore ?? '-'}`, async () => {
        const problems = await rollBack(client, settings, report)
        if (problems.some((p) => p.code !== 'ERR_ROLLED_BACK')) throw new Failures(problems)
        return { value: problems, detail: `v${report.deployedVersion} → v${report.versionBefore} restored as v${report.versionAfter}` }
      }).catch((rollbackError: unknown) => asActionErrors(rollbackError))
      failures.push(...rollbackProblems)
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

function maskTokens(kit: Toolkit): string[] {
  const values = [kit.env.MODAL_TOKEN_ID, kit.env.MODAL_TOKEN_SECRET].filter((v): v is string => !!v)
  for (const value of values) kit.setSecret(value)
  return values
}

/**
 * The GitHub token, and the values of variables named like the processor's secrets when the step environment has
 * them (a workflow often exports OPENAI_API_KEY too): masked in the log and removed from everything the action
 * writes, in case a processor or a command prints one.
 */
function maskStepSecrets(kit: Toolkit, settings: Settings): string[] {
  const names = [...settings.toolSecrets.map((s) => s.name), ...REGISTRY_KEYS]
  const values = [settings.githubToken, ...names.map((name) => kit.env[name] ?? '')].filter((v) => v.length >= 4)
  for (const value of values) kit.setSecret(value)
  return values
}

function annotationText(error: ReportedError): string {
  const parts = [error.message]
  if (error.command) parts.push(`Command: ${error.command}`)
  if (error.stderrTail) parts.push(`Last output:\n${tail(error.stderrTail, 30, 3000)}`)
  parts.push(`Fix: ${ERROR_CATALOG[error.code].fix}`)
  return parts.join('\n')
}

/** Outputs, summary and annotations: written on every path, with known secret values removed first. */
async function publish(kit: Toolkit, report: RunReport, secretValues: string[]): Promise<void> {
  const redact = (text: string) => secretValues.reduce((out, value) => out.split(value).join('***'), text)
  // Redacted in the report itself, before any truncation can cut a value in two (the CLI prints the report too).
  for (const error of report.errors) {
    error.message = redact(error.message)
    if (error.stderrTail) error.stderrTail = redact(error.stderrTail)
    if (error.command) error.command = redact(error.command)
  }
  for (const [name, value] of Object.entries(reportOutputs(report))) kit.setOutput(name, redact(value))
  for (const error of report.errors) kit.annotate('error', error.code, annotationText(error))
  if (report.errors.length === 0 && !report.dryRun) {
    kit.info(`${report.appName} v${report.versionAfter} is live in ${report.environment} and answered the smoke call.`)
  }
  if (report.errors.length > 0) kit.fail()
  await kit
    .writeSummary(redact(renderSummary(report)))
    .catch((error: Error) => kit.annotate('warning', 'Job summary not written', error.message))
}
