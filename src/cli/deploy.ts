// `modal-processor deploy`: the action's own flow, with the terminal as its toolkit.
import { DEFAULT_MODAL_VERSION } from '../flow/inputs.js'
import { logText, safeJson } from '../rules/untrusted-text.js'
import { fixFor } from '../rules/errors.js'
import { fixValuesFrom } from '../rules/fix-values.js'
import { catalogueFileFromFlags } from './catalogue-flag.js'
import type { CliIo } from './io.js'
import { optionalFlag, requiredFlag, type Flags } from './options.js'
import { terminalToolkit } from './toolkit.js'
import { INPUT_NAMES, type RawInputs } from '../rules/settings.js'
import { runAction } from '../flow/run-action.js'

export async function deployCommand(flags: Flags, io: CliIo): Promise<number> {
  const blank = Object.fromEntries(INPUT_NAMES.map((name) => [name, ''])) as RawInputs
  const inputs: RawInputs = {
    ...blank,
    'processor-ref': requiredFlag(flags, 'ref'),
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
    'report-file': optionalFlag(flags, 'report-file') ?? '',
    preview: optionalFlag(flags, 'preview') ?? '',
  }
  const kit = terminalToolkit(inputs, { quiet: flags.quiet === true, io })
  const report = await runAction(kit, { connect: io.connect })
  const ok = report.errors.length === 0
  if (flags.json) {
    const values = fixValuesFrom({
      command: 'deploy',
      env: inputs['modal-environment'],
      ref: inputs['processor-ref'],
      app: inputs['app-name'],
    })
    // Each error with its fix as the terminal shows it.
    const errors = report.errors.map((error) => ({ ...error, fix: fixFor(error, 'cli', values) }))
    io.out(`${safeJson({ ok, outputs: kit.outputs, errors, phases: report.phases, smokeTests: report.smokeTests }, 2)}\n`)
  } else if (ok) {
    const what = report.dryRun ? 'dry run passed, nothing changed' : `v${report.versionAfter} live, smoke call ${report.smokeStatus}`
    io.out(`${logText(`${report.appName} in ${report.environment}: ${what}${report.dashboardUrl ? `\n${report.dashboardUrl}` : ''}`)}\n`)
  }
  return ok ? 0 : 1
}
