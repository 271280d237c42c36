// The deploy step, in the order it runs: inputs → preflight → deploy → verify → smoke call → report.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { ActionError, ERROR_CATALOG } from './errors.js'
import { parseInputs, readRawInputs, type Settings } from './inputs.js'
import { findOnPath, ModalClient, pythonForModal, type PreflightReport } from './modal-client.js'
import { tail } from './modal-output.js'
import { emptyReport, renderSummary, reportOutputs, type PhaseName, type ReportedError, type RunReport } from './report.js'
import { DEFAULT_RETRY } from './retry.js'
import { defaultDeployTag, judgeDeploy } from './rollout.js'
import { REGISTRY_SECRET, requiredSecrets, secretCreateCommand, type SecretRequirement } from './secrets-policy.js'
import { judgeSmokeResult, smokePayload } from './smoke.js'
import { runnerToolkit, type Toolkit } from './toolkit.js'

/** Several problems found together (all bad inputs, all missing secrets), reported as one annotation each. */
class Failures extends Error {
  constructor(readonly errors: ActionError[]) {
    super(errors.map((e) => e.code).join(', '))
  }
}

export async function run(): Promise<void> {
  await runAction(runnerToolkit())
}

export async function runAction(kit: Toolkit): Promise<RunReport> {
  const started = kit.now()
  const report = emptyReport()
  const secretValues = maskTokens(kit)
  const phase = phaseRunner(kit, report)
  // The deploy's output is untrusted text (it includes the module's prints): the runner must not run it as commands.
  const deployLog = kit.untrustedStream()
  try {
    const settings = await phase('inputs', 'Validate inputs', async () => {
      const settings = validateInputs(kit)
      describeSettings(report, settings)
      return { value: settings, detail: `${settings.processorRef} → ${settings.appName} in ${settings.environment}` }
    })
    const { client, found } = await phase('preflight', 'Preflight: token, environment, secrets', async () => {
      const client = connectClient(kit, deployLog)
      const found = await preflight(client, settings, report)
      return { value: { client, found }, detail: `${found.secrets.filter((s) => s.status === 'found').length} secret(s) found, ${found.app.exists ? `live version v${report.versionBefore}` : 'first deploy'}` }
    })
    if (settings.deploy) {
      await phase('deploy', `Deploy ${settings.appName} to ${settings.environment}`, async () => {
        try {
          await deploy(kit, client, settings, found, report)
        } finally {
          deployLog.end()
        }
        return { value: undefined, detail: report.deployOutcome === 'unchanged' ? 'no changes detected' : `tag ${report.tag}` }
      })
      await phase('verify', 'Verify the live version', async () => ({
        value: await verify(client, settings, found, report),
        detail: `live v${report.versionAfter}`,
      }))
    } else {
      report.deployOutcome = 'not-requested'
      report.versionAfter = report.versionBefore
      skipPhase(report, 'deploy', 'deploy: false')
    }
    await phase('smoke', `Smoke call (${settings.mode})`, async () => ({
      value: await smoke(kit, client, settings, report),
      detail: `run answered in mode ${settings.mode}`,
    }))
  } catch (error) {
    report.errors.push(...asActionErrors(error).map((e) => ({ code: e.code, message: e.message, ...e.details })))
  } finally {
    report.durationMs = kit.now() - started
    await publish(kit, report, secretValues)
  }
  return report
}

function maskTokens(kit: Toolkit): string[] {
  const values = [kit.env.MODAL_TOKEN_ID, kit.env.MODAL_TOKEN_SECRET].filter((v): v is string => !!v)
  for (const value of values) kit.setSecret(value)
  return values
}

type PhaseBody<T> = () => Promise<{ value: T; detail: string }>

/** Runs one phase in a log group and records its result and duration, failed or not. */
function phaseRunner(kit: Toolkit, report: RunReport) {
  return async <T>(name: PhaseName, title: string, body: PhaseBody<T>): Promise<T> => {
    const started = kit.now()
    kit.startGroup(title)
    try {
      const { value, detail } = await body()
      report.phases.push({ phase: name, status: 'passed', durationMs: kit.now() - started, detail })
      return value
    } catch (error) {
      const codes = asActionErrors(error).map((e) => e.code)
      report.phases.push({ phase: name, status: 'failed', durationMs: kit.now() - started, detail: [...new Set(codes)].join(', ') })
      throw error
    } finally {
      kit.endGroup()
    }
  }
}

function skipPhase(report: RunReport, name: PhaseName, detail: string): void {
  report.phases.push({ phase: name, status: 'skipped', durationMs: 0, detail })
}

function validateInputs(kit: Toolkit): Settings {
  const parsed = parseInputs(readRawInputs(kit.getInput))
  if (!parsed.ok) throw new Failures(parsed.errors)
  return parsed.settings
}

function describeSettings(report: RunReport, settings: Settings): void {
  report.processorRef = settings.processorRef
  report.imageRef = settings.imageRef
  report.imageDigest = settings.image.digest
  report.environment = settings.environment
  report.appName = settings.appName
  report.mode = settings.mode
}

function connectClient(kit: Toolkit, deployLog: { write(line: string): void }): ModalClient {
  const modalPath = findOnPath('modal', kit.env)
  if (modalPath === null) {
    throw new ActionError('ERR_MODAL_CLI_MISSING', 'The modal command is not on PATH, so nothing can be checked or deployed.')
  }
  return new ModalClient({
    modalPath,
    python: pythonForModal(modalPath),
    helperScript: path.join(kit.actionRoot, 'modal', 'action_helper.py'),
    env: kit.env,
    retry: DEFAULT_RETRY,
    hooks: {
      sleep: kit.sleep,
      random: kit.random,
      onRetry: (retry, delayMs, reason) =>
        kit.annotate('warning', 'Retrying a transient Modal failure', `Attempt ${retry} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)}s.`),
    },
    onOutputLine: (line) => deployLog.write(line),
  })
}

async function preflight(client: ModalClient, settings: Settings, report: RunReport): Promise<PreflightReport> {
  const secrets = requiredSecrets(settings)
  const found = await client.preflight(settings.environment, settings.appName, secrets, settings.timeouts.preflight * 1000)
  report.secretsFound = found.secrets.filter((s) => s.status === 'found').map((s) => s.name)
  if (found.app.exists) {
    report.appId = found.app.appId
    report.versionBefore = found.app.history[0]?.version ?? null
  }
  const problems = secretProblems(secrets, found, settings.environment)
  if (!settings.deploy && !found.app.exists) {
    problems.push(
      new ActionError(
        'ERR_FUNCTION_NOT_FOUND',
        `deploy is false but app '${settings.appName}' is not deployed in environment '${settings.environment}', so there is no run function to call. Check with: modal app list --env ${settings.environment}`,
      ),
    )
  }
  if (problems.length > 0) throw new Failures(problems)
  return found
}

function secretProblems(secrets: SecretRequirement[], found: PreflightReport, environment: string): ActionError[] {
  return found.secrets.flatMap((status) => {
    const secret = secrets.find((s) => s.name === status.name)
    if (!secret || status.status === 'found' || status.optional) return []
    if (status.status === 'missing') {
      return [
        new ActionError(
          'ERR_MISSING_SECRET',
          `Modal secret '${secret.name}' does not exist in environment '${environment}'. Create it with: ${secretCreateCommand(secret, environment)}`,
        ),
      ]
    }
    return [
      new ActionError(
        'ERR_SECRET_MISSING_KEYS',
        `Modal secret '${secret.name}' in environment '${environment}' lacks key(s) ${status.missingKeys.join(', ')}. Recreate it with: ${secretCreateCommand(secret, environment, true)}`,
      ),
    ]
  })
}

function moduleDirectory(kit: Toolkit, settings: Settings): string {
  if (settings.moduleDir === null) return path.join(kit.actionRoot, 'modal')
  const dir = path.resolve(kit.env.GITHUB_WORKSPACE ?? process.cwd(), settings.moduleDir)
  if (!existsSync(path.join(dir, 'modal_app.py'))) {
    throw new ActionError('ERR_INVALID_INPUT', `modal-module-dir '${settings.moduleDir}' has no modal_app.py (looked in ${dir}).`)
  }
  return dir
}

async function deploy(kit: Toolkit, client: ModalClient, settings: Settings, found: PreflightReport, report: RunReport): Promise<void> {
  const tag = settings.deployTag ?? defaultDeployTag(kit.env, new Date(kit.now()))
  report.tag = tag
  const attached = found.secrets.filter((s) => s.status === 'found' && s.name !== REGISTRY_SECRET).map((s) => s.name)
  const moduleEnv: Record<string, string> = {
    PROCESSOR_REF: settings.processorRef,
    IMAGE_REF: settings.imageRef,
    TOOL_SECRETS: attached.join(','),
    REGISTRY_SECRET: requiredSecrets(settings).some((s) => s.name === REGISTRY_SECRET) ? REGISTRY_SECRET : 'none',
    ...(settings.appName !== defaultAppName(settings) ? { MODAL_APP_NAME: settings.appName } : {}),
  }
  const dir = moduleDirectory(kit, settings)
  kit.info(`Running: modal deploy -m modal_app --env ${settings.environment} --tag ${tag} (in ${dir})`)
  const output = await client.deploy(dir, settings.environment, tag, moduleEnv, settings.timeouts.deploy * 1000)
  report.dashboardUrl = output.dashboardUrl
  report.deployOutcome = output.skipped ? 'unchanged' : 'deployed'
  if (output.skipped) kit.info('Modal reported no changes: the live version keeps serving; nothing was redeployed.')
}

function defaultAppName(settings: Settings): string {
  const { namespace, name, major } = settings.processor
  return `${namespace}-${name}-v${major}`
}

async function verify(client: ModalClient, settings: Settings, found: PreflightReport, report: RunReport): Promise<void> {
  const before = found.app.exists ? found.app.history : []
  const after = await client.history(settings.appName, settings.environment, settings.timeouts.preflight * 1000)
  const verdict = judgeDeploy(before, after, report.deployOutcome === 'unchanged', report.tag ?? '')
  switch (verdict.status) {
    case 'deployed':
    case 'unchanged':
      report.versionAfter = verdict.version
      return
    case 'unverified':
      throw new ActionError('ERR_DEPLOY_UNVERIFIED', `The deploy finished but ${verdict.reason}.`)
    case 'raced':
      report.versionAfter = verdict.liveVersion
      throw new ActionError(
        'ERR_RACE_DETECTED',
        `The live version is v${verdict.liveVersion} (tag ${verdict.liveTag ?? 'none'}), not ${verdict.ourVersion === null ? 'this run’s deploy' : `v${verdict.ourVersion} deployed by this run`}: another deploy of ${settings.appName} finished meanwhile. It was not smoke-tested.`,
      )
  }
}

async function smoke(kit: Toolkit, client: ModalClient, settings: Settings, report: RunReport): Promise<void> {
  const payload = smokePayload(settings.mode, settings.smokeParams)
  kit.info(`Calling ${settings.appName}.run${report.versionAfter === null ? '' : ` (pinned to v${report.versionAfter})`} with mode ${settings.mode}`)
  report.smokeStatus = 'failed'
  const answer = await client.smoke(
    { environment: settings.environment, appName: settings.appName, version: report.versionAfter, payload },
    settings.timeouts.smoke * 1000,
  )
  report.appId = answer.appId ?? report.appId
  const verdict = judgeSmokeResult(answer.result)
  if (verdict.status === 'invalid') {
    throw new ActionError('ERR_SMOKE_INVALID_RESPONSE', `run returned a response outside the processor contract: ${verdict.problem}`)
  }
  if (verdict.status === 'failed') {
    if (verdict.stderrTail) kit.untrusted(verdict.stderrTail.split('\n'))
    throw new ActionError('ERR_SMOKE_FAILED', `The processor failed (${verdict.errorType}${verdict.code ? ` ${verdict.code}` : ''}): ${verdict.message}`, {
      stderrTail: verdict.stderrTail ?? undefined,
    })
  }
  report.smokeStatus = 'passed'
  report.smokeOutput = verdict.output
  kit.untrusted(JSON.stringify(verdict.output, null, 2).split('\n'))
}

function asActionErrors(error: unknown): ActionError[] {
  if (error instanceof Failures) return error.errors
  if (error instanceof ActionError) return [error]
  return [new ActionError('ERR_PREFLIGHT_FAILED', `Unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)]
}

function annotationText(error: ReportedError): string {
  const parts = [error.message]
  if (error.command) parts.push(`Command: ${error.command}`)
  if (error.stderrTail) parts.push(`Last output:\n${tail(error.stderrTail, 12, 1500)}`)
  parts.push(`Fix: ${ERROR_CATALOG[error.code].fix}`)
  return parts.join('\n')
}

/** Outputs, summary and annotations: written on every path, with token values removed. */
async function publish(kit: Toolkit, report: RunReport, secretValues: string[]): Promise<void> {
  const redact = (text: string) => secretValues.reduce((out, value) => out.split(value).join('***'), text)
  for (const [name, value] of Object.entries(reportOutputs(report))) kit.setOutput(name, redact(value))
  for (const error of report.errors) kit.annotate('error', error.code, redact(annotationText(error)))
  if (report.errors.length === 0) {
    kit.info(`${report.appName} v${report.versionAfter} is live in ${report.environment} and answered the smoke call.`)
  }
  if (report.errors.length > 0) kit.fail()
  await kit.writeSummary(redact(renderSummary(report))).catch((error: Error) => kit.annotate('warning', 'Job summary not written', error.message))
}
