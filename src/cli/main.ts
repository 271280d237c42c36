// `modal-processor`: the action's operations for people at a terminal (deploy, logs, run, name), same code paths.
import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { terminalToolkit } from './toolkit.js'
import { ActionError, ERROR_CATALOG } from '../rules/errors.js'
import { DEFAULT_MODAL_VERSION, DEFAULT_SMOKE_PARAMS, INPUT_NAMES, type RawInputs } from '../action/inputs.js'
import { runAction } from '../action/main.js'
import { findOnPath, pythonForModal } from '../modal/install.js'
import { modalAppNameFromRef } from '../rules/naming.js'
import { runProcess } from '../modal/process.js'
import { clientFor } from '../action/preflight.js'
import { DEFAULT_REGISTRY_FILE, readRegistryFile } from '../rules/catalogue.js'
import { judgeSmokeAnswer } from '../action/smoke-call.js'
import { smokePayload, type Mode } from '../rules/smoke-contract.js'
import { bundleRoot } from '../modal/bundle-root.js'

class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `Usage: modal-processor <command> [options]

Commands:
  deploy   Preflight, deploy, verify and smoke-test a processor (the GitHub Action's flow)
  logs     Show the logs of a processor's Modal app
  run      Run a processor once, on Modal (--adapter modal) or on this machine (--adapter local)
  name     Print the Modal app name of a processor ref

Run 'modal-processor <command> --help' for a command's options.`,
  deploy: `Usage: modal-processor deploy --env ENV --ref REF [options]

  --env ENV              Modal environment (required)
  --ref REF              processor ref, e.g. llm/litellm@1 (required)
  --image-ref REF        image pinned by digest (default: from the registry file)
  --tool-secrets LIST    secret names, comma separated (default: from the registry file)
  --app-name NAME        override the app name derived from the ref
  --mode mock|real       mode of the smoke call (default: mock)
  --dry-run              check everything and print the plan; change nothing
  --no-rollback          keep a version whose smoke call failed
  --registry FILE        processor registry file (default: ${DEFAULT_REGISTRY_FILE})
  --json                 print the result as JSON on stdout
  --quiet                no progress on stderr`,
  logs: `Usage: modal-processor logs --env ENV --ref REF [--tail N] [--follow]

  --env ENV       Modal environment (required)
  --ref REF       processor ref (required)
  --app-name NAME override the app name derived from the ref
  --tail N        number of recent lines (default: 100)
  --follow        keep streaming new lines`,
  run: `Usage: modal-processor run --ref REF --adapter modal|local --mode mock|real --inputs-json JSON [options]

  --ref REF            processor ref (required)
  --adapter ADAPTER    modal: call the deployed run; local: run the processor on this machine
  --mode mock|real     the envelope's mode (default: mock)
  --inputs-json JSON   the envelope, e.g. '{"schema":"v1","params":{...}}' (default params: a test message)
  --env ENV            Modal environment (required with --adapter modal)
  --version N          call version N of the app (modal adapter; default: the live one)
  --app-name NAME      override the app name derived from the ref
  --processor PATH     the processor executable (local adapter; default: the registry's local_command)
  --registry FILE      processor registry file (default: ${DEFAULT_REGISTRY_FILE})`,
  name: `Usage: modal-processor name REF

Prints the Modal app name of a processor ref: llm/litellm@1 → llm-litellm-v1.`,
}

const OPTIONS = {
  env: { type: 'string' },
  ref: { type: 'string' },
  'image-ref': { type: 'string' },
  'tool-secrets': { type: 'string' },
  'app-name': { type: 'string' },
  mode: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'no-rollback': { type: 'boolean' },
  registry: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  tail: { type: 'string' },
  follow: { type: 'boolean' },
  adapter: { type: 'string' },
  'inputs-json': { type: 'string' },
  version: { type: 'string' },
  processor: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options']

type Flags = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string }

const ALLOWED: Record<string, (keyof Flags)[]> = {
  deploy: ['env', 'ref', 'image-ref', 'tool-secrets', 'app-name', 'mode', 'dry-run', 'no-rollback', 'registry', 'json', 'quiet'],
  logs: ['env', 'ref', 'app-name', 'tail', 'follow'],
  run: ['ref', 'adapter', 'mode', 'inputs-json', 'env', 'version', 'app-name', 'processor', 'registry'],
  name: [],
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(`${HELP.main}\n`)
    return command === undefined ? 2 : 0
  }
  try {
    if (!(command in ALLOWED)) throw new UsageError(`No such command '${command}'.`)
    const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: command === 'name', strict: true })
    const flags = values as Flags
    if (flags.help) {
      process.stdout.write(`${HELP[command]}\n`)
      return 0
    }
    const unexpected = Object.keys(flags).filter((flag) => !ALLOWED[command].includes(flag as keyof Flags))
    if (unexpected.length > 0) throw new UsageError(`'${command}' does not take --${unexpected.join(', --')}.`)
    switch (command) {
      case 'deploy':
        return await deployCommand(flags)
      case 'logs':
        return await logsCommand(flags)
      case 'run':
        return await runCommand(flags)
      default:
        return nameCommand(positionals)
    }
  } catch (error) {
    if (error instanceof ActionError) {
      process.stderr.write(`${error.code}: ${error.message}\nFix: ${ERROR_CATALOG[error.code].fix}\n`)
      return 1
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(
        `Usage: modal-processor ${command} [OPTIONS]\nTry 'modal-processor ${command} --help' for help.\n\nError: ${(error as Error).message}\n`,
      )
      return 2
    }
    throw error
  }
}

function required(flags: Flags, name: 'env' | 'ref' | 'adapter'): string {
  const value = flags[name]
  if (!value) throw new UsageError(`Missing option '--${name}'.`)
  return value
}

function nameCommand(positionals: string[]): number {
  if (positionals.length !== 1) throw new UsageError('Expected exactly one processor ref, e.g. modal-processor name llm/litellm@1.')
  const name = modalAppNameFromRef(positionals[0])
  if (!name.ok) throw new ActionError('ERR_INVALID_PROCESSOR_REF', name.error)
  process.stdout.write(`${name.value}\n`)
  return 0
}

async function deployCommand(flags: Flags): Promise<number> {
  const blank = Object.fromEntries(INPUT_NAMES.map((name) => [name, ''])) as RawInputs
  const inputs: RawInputs = {
    ...blank,
    'processor-ref': required(flags, 'ref'),
    'modal-environment': required(flags, 'env'),
    'image-ref': flags['image-ref'] ?? '',
    'tool-secrets': flags['tool-secrets'] ?? '',
    'app-name': flags['app-name'] ?? '',
    mode: flags.mode ?? '',
    'dry-run': String(flags['dry-run'] ?? false),
    'rollback-on-failure': String(!flags['no-rollback']),
    'registry-file': flags.registry ?? DEFAULT_REGISTRY_FILE,
    'modal-version': DEFAULT_MODAL_VERSION,
  }
  const kit = terminalToolkit(inputs, { quiet: flags.quiet ?? false, actionRoot: bundleRoot() })
  const report = await runAction(kit)
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ ok: report.errors.length === 0, outputs: kit.outputs, errors: report.errors, phases: report.phases }, null, 2)}\n`,
    )
  } else if (report.errors.length === 0) {
    const what = report.dryRun ? 'dry run passed, nothing changed' : `v${report.versionAfter} live, smoke call ${report.smokeStatus}`
    process.stdout.write(`${report.appName} in ${report.environment}: ${what}${report.dashboardUrl ? `\n${report.dashboardUrl}` : ''}\n`)
  }
  return report.errors.length === 0 ? 0 : 1
}

function appName(flags: Flags): string {
  if (flags['app-name']) return flags['app-name']
  const name = modalAppNameFromRef(required(flags, 'ref'))
  if (!name.ok) throw new ActionError('ERR_INVALID_PROCESSOR_REF', name.error)
  return name.value
}

function modalCommand(): string {
  const modal = findOnPath('modal', process.env)
  if (!modal)
    throw new ActionError('ERR_MODAL_CLI_MISSING', `The modal command is not on PATH (pip install modal==${DEFAULT_MODAL_VERSION}).`)
  return modal
}

async function logsCommand(flags: Flags): Promise<number> {
  const app = appName(flags)
  const env = required(flags, 'env')
  const tail = flags.tail ?? '100'
  if (!/^[1-9][0-9]*$/.test(tail)) throw new UsageError(`--tail must be a positive whole number, got '${tail}'.`)
  const client = sessionClient()
  try {
    // Logs stream straight through; only a failure is read, to name it.
    const args = [app, '--env', env, ...(flags.follow ? ['--follow'] : ['-n', tail])]
    const result = await client.streamLogs(args, flags.follow ? FOLLOW_FOREVER_MS : LOGS_TIMEOUT_MS, (line, stream) => {
      if (stream === 'stdout') process.stdout.write(`${line}\n`)
    })
    if (result.exitCode === 0) return 0
    if (/No App with name/.test(result.stderr)) {
      throw new ActionError(
        'ERR_FUNCTION_NOT_FOUND',
        `No app ${app} in environment ${env}: was ${flags.ref} deployed there? Check: modal app list --env ${env}`,
      )
    }
    process.stderr.write(result.stderr)
    return result.exitCode
  } catch (error) {
    // Ctrl-C is how one leaves --follow.
    if (flags.follow && error instanceof ActionError && error.code === 'ERR_CANCELLED') return 130
    throw error
  } finally {
    await client.close()
  }
}

// setTimeout's longest delay (about 24 days): "until Ctrl-C" for --follow.
const FOLLOW_FOREVER_MS = 2 ** 31 - 1
const LOGS_TIMEOUT_MS = 300_000

/** A Modal client for one command: one session, the client found on PATH. */
function sessionClient() {
  const kit = terminalToolkit({}, { quiet: false, actionRoot: bundleRoot() })
  return clientFor(
    kit,
    async () => {
      const modal = modalCommand()
      return { modalPath: modal, python: pythonForModal(modal) }
    },
    { write: () => {} },
  )
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The v1 envelope from --inputs-json and --mode (the flag sets the mode); params default to the action's. */
function envelopeFrom(flags: Flags): ReturnType<typeof smokePayload> {
  const mode = (flags.mode ?? 'mock') as Mode
  if (mode !== 'mock' && mode !== 'real') throw new UsageError(`--mode must be mock or real, got '${mode}'.`)
  let given: unknown = {}
  if (flags['inputs-json'] !== undefined) {
    try {
      given = JSON.parse(flags['inputs-json'])
    } catch (error) {
      throw new ActionError('ERR_INVALID_SMOKE_INPUTS', `--inputs-json is not valid JSON (${(error as Error).message}).`)
    }
  }
  const params = isObject(given) ? (given.params ?? DEFAULT_SMOKE_PARAMS) : undefined
  if (!isObject(given) || !isObject(params)) {
    throw new ActionError(
      'ERR_INVALID_SMOKE_INPUTS',
      '--inputs-json must be an envelope object whose params is a JSON object, e.g. {"schema":"v1","params":{...}}.',
    )
  }
  return { ...given, ...smokePayload(mode, params) }
}

async function runCommand(flags: Flags): Promise<number> {
  const ref = required(flags, 'ref')
  const adapter = required(flags, 'adapter')
  const envelope = envelopeFrom(flags)
  const result =
    adapter === 'local' ? await runLocally(flags, ref, envelope) : adapter === 'modal' ? await runOnModal(flags, envelope) : null
  if (result === null) throw new UsageError(`--adapter must be modal or local, got '${adapter}'.`)
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  // Judged like the action's smoke call, with the same codes and messages.
  judgeSmokeAnswer(result)
  return 0
}

async function runOnModal(flags: Flags, envelope: object): Promise<unknown> {
  const version = flags.version === undefined ? null : Number(flags.version)
  if (version !== null && !Number.isInteger(version)) throw new UsageError(`--version must be a whole number, got '${flags.version}'.`)
  const call = { environment: required(flags, 'env'), appName: appName(flags), version, payload: envelope as Record<string, unknown> }
  const client = sessionClient()
  try {
    return (await client.smoke(call, 300000)).result
  } finally {
    await client.close()
  }
}

async function runLocally(flags: Flags, ref: string, envelope: object): Promise<unknown> {
  const processor = flags.processor ?? localCommandFromRegistry(flags, ref)
  const python = findOnPath('python3', process.env) ?? 'python3'
  const request = { envelope, ref, command: path.resolve(processor), timeout_s: 300 }
  const result = await runProcess(python, [path.join(bundleRoot(), 'runner', 'run_local.py')], {
    env: process.env,
    input: JSON.stringify(request),
    timeoutMs: 310000,
  })
  const answer = lastJsonLine(result.stdout)
  if (answer === null) {
    throw new ActionError(
      'ERR_SMOKE_INVALID_RESPONSE',
      `The local runner did not answer with JSON (exit code ${result.exitCode}): ${result.stderr.slice(-500)}`,
    )
  }
  return answer
}

function localCommandFromRegistry(flags: Flags, ref: string): string {
  const file = flags.registry ?? DEFAULT_REGISTRY_FILE
  const registry = readRegistryFile(path.resolve(file), file)
  const entry = registry?.processors[ref]
  if (!entry?.local_command) {
    throw new ActionError(
      'ERR_REGISTRY_ENTRY_MISSING',
      `--processor is not given and ${file} has no processors["${ref}"].local_command for the local adapter.`,
    )
  }
  return path.resolve(path.dirname(file), entry.local_command)
}

/** The JSON value on the last line of a command's output (where the local runner answers), or null. */
function lastJsonLine(stdout: string): unknown {
  try {
    return JSON.parse(stdout.trimEnd().split('\n').pop() ?? '')
  } catch {
    return null
  }
}
