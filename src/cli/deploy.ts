// `modal-processor deploy`: the action's own flow, with the terminal as its toolkit; for several refs, each in turn
// through one Modal session (./deploy-batch.ts). Like the action (and unlike logs, run and prune), it installs the Modal
// client when `modal` is not on PATH: deploy-fleet.yml's batch jobs have only Python (README, Command-line tool).
import { DEFAULT_MODAL_VERSION } from '../flow/inputs.js'
import { logText, safeJson } from '../rules/untrusted-text.js'
import { fixFor } from '../rules/errors.js'
import { fixValuesFrom } from '../rules/fix-values.js'
import type { RunReport } from '../rules/run-report.js'
import type { SessionConnector } from '../modal/session-keeper.js'
import { catalogueFileFromFlags } from './catalogue-flag.js'
import { deployBatch, refsFromFlags } from './deploy-batch.js'
import type { CliIo } from './io.js'
import { optionalFlag, requiredFlag, type Flags } from './options.js'
import { terminalToolkit, type TerminalToolkit } from './toolkit.js'
import { INPUT_NAMES, type RawInputs } from '../rules/settings.js'
import { runAction } from '../flow/run-action.js'

export async function deployCommand(flags: Flags, io: CliIo): Promise<number> {
  const refs = refsFromFlags(flags)
  const environment = requiredFlag(flags, 'env')
  if (refs.length > 1 || optionalFlag(flags, 'report-dir') !== undefined) return deployBatch(flags, io, refs, environment)
  const { ok, report, kit, inputs } = await deployOne(flags, io, refs[0], optionalFlag(flags, 'report-file') ?? '', io.connect)
  if (flags.json) io.out(`${safeJson(jsonResult(ok, report, kit, inputs), 2)}\n`)
  else if (ok) io.out(`${logText(successLine(report))}\n`)
  return ok ? 0 : 1
}

/** One processor's deploy (progress on stderr); its result, for the caller to print. */
export async function deployOne(
  flags: Flags,
  io: CliIo,
  ref: string,
  reportFile: string,
  connect: SessionConnector | undefined,
): Promise<{ ok: boolean; report: RunReport; kit: TerminalToolkit; inputs: RawInputs }> {
  const blank = Object.fromEntries(INPUT_NAMES.map((name) => [name, ''])) as RawInputs
  const inputs: RawInputs = {
    ...blank,
    'processor-ref': ref,
    'modal-environment': requiredFlag(flags, 'env'),
    'image-ref': optionalFlag(flags, 'image-ref') ?? '',
    'tool-secrets': optionalFlag(flags, 'tool-secrets') ?? '',
    'app-name': optionalFlag(flags, 'app-name') ?? '',
    mode: optionalFlag(flags, 'mode') ?? '',
    'dry-run': String(flags['dry-run'] === true),
    'rollback-on-failure': String(flags['no-rollback'] !== true),
    'deploy-strategy': optionalFlag(flags, 'deploy-strategy') ?? '',
    'rollback-strategy': optionalFlag(flags, 'rollback-strategy') ?? '',
    rollout: optionalFlag(flags, 'rollout') ?? '',
    // Chosen here between --catalogue and --registry, so the flow sees one file and the terminal the flags' names.
    'catalogue-file': catalogueFileFromFlags(flags, io),
    'modal-version': DEFAULT_MODAL_VERSION,
    'report-file': reportFile,
    preview: optionalFlag(flags, 'preview') ?? '',
  }
  const kit = terminalToolkit(inputs, { quiet: flags.quiet === true, io })
  const report = await runAction(kit, { connect })
  return { ok: report.errors.length === 0, report, kit, inputs }
}

/** What --json prints for one processor: each error with its fix as the terminal shows it. */
export function jsonResult(ok: boolean, report: RunReport, kit: TerminalToolkit, inputs: RawInputs) {
  const values = fixValuesFrom({
    command: 'deploy',
    env: inputs['modal-environment'],
    ref: inputs['processor-ref'],
    app: inputs['app-name'],
  })
  const errors = report.errors.map((error) => ({ ...error, fix: fixFor(error, 'cli', values) }))
  return { ok, outputs: kit.outputs, errors, phases: report.phases, smokeTests: report.smokeTests }
}

export function successLine(report: RunReport): string {
  const what = report.dryRun ? 'dry run passed, nothing changed' : `v${report.versionAfter} live, smoke call ${report.smokeStatus}`
  return `${report.appName} in ${report.environment}: ${what}${report.dashboardUrl ? `\n${report.dashboardUrl}` : ''}`
}
