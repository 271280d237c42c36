// `modal-processor run`: one execution, on Modal (the deployed run) or on this machine (the same contract, locally).
import path from 'node:path'
import { DEFAULT_SMOKE_PARAMS, jsonDepth, MAX_SMOKE_INPUTS_BYTES, MAX_SMOKE_INPUTS_DEPTH } from '../flow/inputs.js'
import { processorOutputOf } from '../flow/smoke-call.js'
import { findOnPath } from '../modal/install.js'
import { runProcess } from '../platform/process.js'
import { readCatalogueFile } from '../flow/catalogue-file.js'
import { FileRefused, resolveInside } from '../platform/files.js'
import { bounded, oneLine } from '../rules/untrusted-text.js'
import { catalogueEntry as ownEntry } from '../rules/catalogue.js'
import { ActionError } from '../rules/errors.js'
import { parseProcessorRef } from '../rules/naming.js'
import { didYouMean } from '../rules/ref-suggestions.js'
import { smokePayload, type Mode } from '../rules/smoke-contract.js'
import { logBlock, safeJson } from '../rules/untrusted-text.js'
import { catalogueFileFromFlags } from './catalogue-flag.js'
import type { CliIo } from './io.js'
import { appNameFromFlags, commandClient, environmentOf } from './modal.js'
import { optionalFlag, requiredFlag, UsageError, type Flags } from './options.js'
import { jsonSyntaxProblem } from '../rules/json-syntax.js'

export async function runCommand(flags: Flags, io: CliIo): Promise<number> {
  const ref = requiredFlag(flags, 'ref')
  // modal or local: the option's choices (./options.ts), checked when the arguments were parsed.
  const adapter = requiredFlag(flags, 'adapter')
  const parsed = parseProcessorRef(ref)
  if (!parsed.ok) throw new ActionError('ERR_INVALID_PROCESSOR_REF', parsed.error)
  const file = catalogueFileFromFlags(flags, io)
  // Without --inputs-json: the catalogue's smoke_inputs, or the params of its first smoke test.
  const catalogued = async () => {
    const entry = await catalogueEntry(file, ref, io.cwd)
    return entry?.smoke_inputs ?? entry?.smoke_tests?.[0].params ?? DEFAULT_SMOKE_PARAMS
  }
  const envelope = await envelopeFrom(flags, catalogued)
  const result = adapter === 'local' ? await runLocally(flags, file, ref, envelope, io) : await runOnModal(flags, envelope, io)
  // The answer is the processor's text: bounded like every log block (a 20 MB answer is its beginning and its size).
  io.out(`${logBlock(safeJson(result, 2).split('\n')).join('\n')}\n`)
  // Judged like the action's smoke call, with the same codes and messages; on this machine there is no app or log.
  try {
    processorOutputOf(result)
  } catch (error) {
    if (adapter === 'local' && error instanceof ActionError)
      throw new ActionError(error.code, error.message, { ...error.details, fix: LOCAL_FIX })
    throw error
  }
  return 0
}

/** A processor that failed on this machine: it is a file here, and its secrets are this shell's variables. */
const LOCAL_FIX =
  "The processor failed on this machine: check that --processor (or local_command) is an executable, and export what its secrets hold in this shell's environment (--mode mock needs none)."

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The v1 envelope from --inputs-json and --mode (the flag sets the mode); params default to the action's. */
async function envelopeFrom(flags: Flags, defaultParams: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  // One of the option's choices (./options.ts), checked when the arguments were parsed.
  const mode = (optionalFlag(flags, 'mode') ?? 'mock') as Mode
  let given: unknown = {}
  const json = optionalFlag(flags, 'inputs-json')
  if (json !== undefined && (Buffer.byteLength(json) > MAX_SMOKE_INPUTS_BYTES || jsonDepth(json) > MAX_SMOKE_INPUTS_DEPTH)) {
    throw new ActionError(
      'ERR_INVALID_SMOKE_INPUTS',
      `--inputs-json must be at most ${MAX_SMOKE_INPUTS_BYTES} bytes, nesting at most ${MAX_SMOKE_INPUTS_DEPTH} deep.`,
    )
  }
  if (json !== undefined) {
    try {
      given = JSON.parse(json)
    } catch {
      throw new ActionError('ERR_INVALID_SMOKE_INPUTS', `--inputs-json is not valid JSON (${jsonSyntaxProblem(json)}).`)
    }
  }
  const params = isObject(given) ? (given.params ?? (await defaultParams())) : undefined
  if (!isObject(given) || !isObject(params)) {
    throw new ActionError(
      'ERR_INVALID_SMOKE_INPUTS',
      '--inputs-json must be an envelope object whose params is a JSON object, e.g. {"schema":"v1","params":{...}}.',
    )
  }
  return { ...given, ...smokePayload(mode, params) }
}

async function runOnModal(flags: Flags, envelope: Record<string, unknown>, io: CliIo): Promise<unknown> {
  const given = optionalFlag(flags, 'version')
  if (given !== undefined && !/^[1-9][0-9]{0,8}$/.test(given))
    throw new UsageError(`--version must be a version number (1, 2, …), got '${given}'.`)
  const version = given === undefined ? null : Number(given)
  const client = commandClient(io)
  try {
    const app = client.app(appNameFromFlags(flags), environmentOf(flags))
    return (await app.smoke({ version, payload: envelope }, 300_000)).result
  } finally {
    await client.close()
  }
}

async function runLocally(flags: Flags, file: string, ref: string, envelope: object, io: CliIo): Promise<unknown> {
  const given = optionalFlag(flags, 'processor')
  const command = given === undefined ? await localCommandFromCatalogue(file, ref, io.cwd) : path.resolve(io.cwd, given)
  const python = findOnPath('python3', io.env) ?? 'python3'
  const request = { envelope, ref, command, timeout_s: 300 }
  const result = await runProcess(python, [path.join(io.actionRoot, 'local-adapter', 'run_local.py')], {
    env: io.env,
    input: JSON.stringify(request),
    timeoutMs: 310_000,
  })
  const answer = lastJsonLine(result.stdout)
  if (answer === null) {
    throw new ActionError(
      'ERR_SMOKE_INVALID_RESPONSE',
      `The local adapter did not answer with JSON (exit code ${result.exitCode}): ${result.stderr.slice(-500)}`,
      {
        fix: 'The local adapter (local-adapter/run_local.py) stopped before it answered: the message ends with its error output; check that python3 on PATH is 3.10 or later and that the processor is an executable file.',
      },
    )
  }
  return answer
}

/** The processor's catalogue entry, when there is a catalogue and it has one. */
async function catalogueEntry(file: string, ref: string, cwd: string) {
  const catalogue = await readCatalogueFile(path.resolve(cwd, file), file)
  return catalogue === null ? undefined : ownEntry(catalogue, ref)
}

/** The entry's local_command: inside the catalogue's folder (real paths), as the README promises. */
async function localCommandFromCatalogue(file: string, ref: string, cwd: string): Promise<string> {
  const catalogue = await readCatalogueFile(path.resolve(cwd, file), file)
  const entry = catalogue === null ? undefined : ownEntry(catalogue, ref)
  if (!entry?.local_command) {
    const missing = entry ? `processors["${ref}"].local_command` : `entry processors["${ref}"]`
    const guess = entry ? '' : didYouMean(ref, catalogue ? Object.keys(catalogue.processors) : [])
    throw new ActionError(
      'ERR_REGISTRY_ENTRY_MISSING',
      `--processor is not given and ${file} has no ${missing} for the local adapter.${guess}`,
      {
        fix: 'Give --processor PATH, or add {ref} with a local_command to the processor catalogue (--catalogue, default modal-processors.json); check --ref for a typo.',
      },
    )
  }
  const folder = path.resolve(cwd, path.dirname(file))
  try {
    return await resolveInside(folder, entry.local_command)
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error
    throw new ActionError(
      'ERR_INVALID_REGISTRY',
      `${bounded(oneLine(file), 300)}: processors["${bounded(oneLine(ref), 100)}"].local_command '${bounded(oneLine(entry.local_command), 300)}' ${bounded(oneLine(error.message), 500)}; local_command must name the processor executable by a path relative to the catalogue's folder, inside it.`,
    )
  }
}

/** The JSON value on the last line of a command's output (where the local adapter answers), or null. */
function lastJsonLine(stdout: string): unknown {
  try {
    return JSON.parse(stdout.trimEnd().split('\n').pop() ?? '')
  } catch {
    return null
  }
}
