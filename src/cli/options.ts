// The CLI's commands and options, in one table: parsing and every help text are generated from it.
import { parseArgs } from 'node:util'
import { DEFAULT_CATALOGUE_FILE } from '../rules/catalogue.js'
import { parsePullRequestNumber } from '../rules/naming.js'
import { MODES, ROLLOUTS, STRATEGIES } from '../rules/settings.js'
import { bounded, oneLine } from '../rules/untrusted-text.js'

export interface OptionSpec {
  name: string
  /** The value's placeholder in help (ENV, REF…); absent for a switch. */
  value?: string
  help: string
  required?: boolean
  /** A string option that may be given more than once (its value is then a list). */
  multiple?: boolean
  /** What its value must be, checked when the arguments are parsed (a usage error, before the command runs): one of
   * `choices`, or what `accepts` takes, `format` saying so. */
  choices?: readonly string[]
  accepts?: { test: (value: string) => boolean; format: string }
}

/** An option of a fixed set of values, the same as the action's input: its placeholder lists them. */
function choice(name: string, choices: readonly string[], help: string): OptionSpec {
  return { name, value: choices.join('|'), choices, help }
}

export interface CommandSpec {
  summary: string
  options: OptionSpec[]
  /** The positional arguments, as help shows them (`name` takes one, `fleet-report` several). */
  positional?: string
  /** Said after the options in help. */
  note?: string
  /** The exit code of an ERR_* failure: 1 (a failed operation) unless the command says otherwise. */
  failureExitCode?: number
}

const env: OptionSpec = { name: 'env', value: 'ENV', help: 'Modal environment', required: true }
const ref: OptionSpec = { name: 'ref', value: 'REF', help: 'processor ref, e.g. llm/litellm@1', required: true }
const appName: OptionSpec = { name: 'app-name', value: 'NAME', help: 'override the app name derived from the ref' }
const catalogue: OptionSpec = { name: 'catalogue', value: 'FILE', help: `processor catalogue file (default: ${DEFAULT_CATALOGUE_FILE})` }
/** The v1 name of --catalogue, still accepted (with a deprecation line on stderr). */
const registryAlias: OptionSpec = { name: 'registry', value: 'FILE', help: 'deprecated alias of --catalogue' }

export const COMMANDS = {
  deploy: {
    summary: "Preflight, deploy, verify and smoke-test a processor (the GitHub Action's flow)",
    options: [
      env,
      {
        ...ref,
        required: false,
        multiple: true,
        help: 'processor ref, e.g. llm/litellm@1 (required); give it again, or --refs, to deploy several in turn through one Modal session',
      },
      { name: 'refs', value: 'LIST', help: 'processor refs, comma separated (with --ref, or instead of it)' },
      { name: 'image-ref', value: 'REF', help: 'image pinned by digest (default: from the processor catalogue)' },
      { name: 'tool-secrets', value: 'LIST', help: 'secret names, comma separated (default: from the processor catalogue)' },
      appName,
      choice('mode', MODES, 'mode of the smoke call (default: mock)'),
      { name: 'dry-run', help: 'check everything and print the plan; change nothing' },
      { name: 'no-rollback', help: 'keep a version whose smoke call failed' },
      choice('deploy-strategy', STRATEGIES, 'modal deploy --strategy (default: rolling)'),
      choice('rollback-strategy', STRATEGIES, 'modal app rollback --strategy (default: recreate)'),
      choice('rollout', ROLLOUTS, 'verify-first: smoke-test the release as a candidate app before it goes live (default: live)'),
      catalogue,
      registryAlias,
      { name: 'report-file', value: 'FILE', help: 'also write the run report as JSON to FILE (what fleet-report reads)' },
      { name: 'report-dir', value: 'DIR', help: 'write a run report per processor to DIR/<app-name>.json' },
      {
        name: 'preview',
        value: 'N',
        help: "deploy pull request N's preview app <app>-pr<N>; the live app is not touched",
        // The action's preview: true reads the number from the pull request event; a terminal has none.
        accepts: { test: (value) => parsePullRequestNumber(value) !== null, format: 'a pull request number, e.g. --preview 42' },
      },
      { name: 'json', help: 'print the result as JSON on stdout' },
      { name: 'quiet', help: 'no progress on stderr' },
    ],
    note: 'With several refs, each must be in the catalogue (checked before anything deploys), and every processor is attempted even when one fails; a summary ends the output, and the exit code is 0 only when all passed.',
  },
  logs: {
    summary: "Show the logs of a processor's Modal app",
    options: [
      env,
      ref,
      appName,
      { name: 'tail', value: 'N', help: 'number of recent lines (default: 100)' },
      { name: 'follow', help: 'keep streaming new lines (until Ctrl-C)' },
    ],
  },
  run: {
    summary: 'Run a processor once, on Modal (--adapter modal) or on this machine (--adapter local)',
    options: [
      ref,
      {
        ...choice('adapter', ['modal', 'local'], 'modal: call the deployed run; local: run the processor on this machine'),
        required: true,
      },
      choice('mode', MODES, "the envelope's mode (default: mock)"),
      {
        name: 'inputs-json',
        value: 'JSON',
        help: `the envelope, e.g. '{"schema":"v1","params":{...}}' (default params: the catalogue's smoke_inputs or its first smoke test's, else a test message)`,
      },
      { ...env, required: false, help: 'Modal environment (required with --adapter modal)' },
      { name: 'version', value: 'N', help: 'call version N of the app (modal adapter; default: the live one)' },
      appName,
      { name: 'processor', value: 'PATH', help: "the processor executable (local adapter; default: the catalogue's local_command)" },
      catalogue,
      registryAlias,
    ],
  },
  matrix: {
    summary: 'Print the GitHub Actions matrix of a fleet deploy: one job per processor of the catalogue',
    options: [
      catalogue,
      registryAlias,
      {
        name: 'changed-since',
        value: 'REF',
        help: 'only the processors changed since where this git commit and HEAD meet, as in a pull request (default: all)',
      },
      {
        name: 'since-last-success',
        help: "the same, since the commit of this workflow's last successful run on this branch (in GitHub Actions)",
      },
      { name: 'only', value: 'REFS', help: 'only these processor refs, comma separated' },
      {
        name: 'module-dir',
        value: 'DIR',
        help: 'the Modal module folder, relative to the repository root; a change in it selects every processor (default: modal)',
      },
      {
        name: 'max-jobs',
        value: 'N',
        help: 'at most N jobs (1-256, default 256); past N processors, batches of processor-refs (deploy --refs)',
      },
      { name: 'verbose', help: 'each planned processor and why, on stderr (default: one summary line)' },
    ],
    note: 'Also written to $GITHUB_OUTPUT as matrix and count (of jobs) when it is set. A plan that cannot be made exits 2.',
    // The plan is the workflow's input: a catalogue or git problem is an error of the call, never an empty plan.
    failureExitCode: 2,
  },
  'fleet-report': {
    summary: "Render one table from the run report files of a fleet deploy's jobs",
    options: [
      {
        name: 'matrix',
        value: 'JSON|FILE',
        help: "the plan (matrix's output, or a file holding it), so that a processor whose job left no report is listed",
      },
      { name: 'json', help: 'print the rows and the verdict as JSON' },
    ],
    positional: 'FILE...',
    note: 'Markdown on stdout, also appended to $GITHUB_STEP_SUMMARY when it is set. Exits 1 unless every processor passed.',
  },
  prune: {
    summary: 'List (and with --yes stop) the apps of an environment nothing needs: previews of closed pull requests, removed processors',
    options: [
      env,
      { name: 'yes', help: 'stop the apps listed (without it, nothing is stopped)' },
      { name: 'json', help: 'print the apps and what was done as JSON' },
      catalogue,
      registryAlias,
    ],
    note: "Keeps every catalogue processor's live app and every open pull request's preview (GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL name the repository; needed when there are previews). Exits 0 when nothing failed, 1 when Modal failed (a stop that failed: the others are still tried), 2 on a usage error or when GitHub's API could not be read.",
  },
  name: {
    summary: 'Print the Modal app name of a processor ref',
    options: [],
    positional: 'REF',
    note: 'Prints the Modal app name of a processor ref: llm/litellm@1 → llm-litellm-v1.',
  },
} satisfies Record<string, CommandSpec>

export type CommandName = keyof typeof COMMANDS
export type Flags = Record<string, string | string[] | boolean | undefined>

export class UsageError extends Error {}

/** A command that could not do its work for a reason outside this tool (an API, git): exit 2, without the usage line. */
export class CommandError extends Error {}

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name)
}

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length))
  const rows = Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`)
  return [
    'Usage: modal-processor <command> [options]',
    '',
    'Commands:',
    ...rows,
    '',
    "Run 'modal-processor <command> --help' for a command's options; 'modal-processor --version' prints the version.",
  ].join('\n')
}

export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name]
  const required = spec.options.filter((o) => o.required).map((o) => `--${o.name} ${o.value}`)
  const usage = `Usage: modal-processor ${name}${spec.positional ? ` ${spec.positional}` : ''}${required.length ? ` ${required.join(' ')}` : ''}${spec.options.length > required.length ? ' [options]' : ''}`
  const labels = spec.options.map((o) => `--${o.name}${o.value ? ` ${o.value}` : ''}`)
  const width = Math.max(0, ...labels.map((l) => l.length)) + 2
  const rows = spec.options.map((o, i) => `  ${labels[i].padEnd(width)} ${o.help}${o.required ? ' (required)' : ''}`)
  return [usage, ...(rows.length ? ['', ...rows] : []), ...(spec.note ? ['', spec.note] : [])].join('\n')
}

/** The flags and positionals of a command's arguments; anything else is a UsageError. */
export function parseCommandArgs(name: CommandName, args: string[]): { flags: Flags; positionals: string[] } {
  const spec: CommandSpec = COMMANDS[name]
  const options = Object.fromEntries([
    ...spec.options.map((o) => [o.name, { type: o.value ? ('string' as const) : ('boolean' as const), multiple: o.multiple === true }]),
    ['help', { type: 'boolean' as const, short: 'h' }],
  ])
  let parsed: { flags: Flags; positionals: string[] }
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: spec.positional !== undefined, strict: true })
    parsed = { flags: values as Flags, positionals }
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (parsed.flags.help !== true) for (const option of spec.options) checkValue(option, parsed.flags[option.name])
  return parsed
}

/** A value outside what the option takes is a usage error naming the flag and what it takes. */
function checkValue(option: OptionSpec, given: Flags[string]): void {
  if (typeof given !== 'string') return
  const quoted = `'${oneLine(bounded(given, 200))}'`
  if (option.choices !== undefined && !option.choices.includes(given)) {
    throw new UsageError(`--${option.name} must be ${option.choices.slice(0, -1).join(', ')} or ${option.choices.at(-1)}, got ${quoted}.`)
  }
  if (option.accepts !== undefined && !option.accepts.test(given)) {
    throw new UsageError(`--${option.name} must be ${option.accepts.format}, got ${quoted}.`)
  }
}

export function requiredFlag(flags: Flags, name: string): string {
  const value = flags[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`Missing option '--${name}'.`)
  return value
}

export function optionalFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name]
  return typeof value === 'string' ? value : undefined
}
