// `modal-processor`: the action's operations for people at a terminal (deploy, logs, run, name), same code paths,
// and the plan and report of a fleet deploy (matrix, fleet-report).
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ActionError, fixFor, type FixValues } from '../rules/errors.js'
import { fixValuesFrom } from '../rules/fix-values.js'
import { describeUnexpected } from '../rules/unexpected.js'
import { bounded, logText, oneLine } from '../rules/untrusted-text.js'
import { deployCommand } from './deploy.js'
import { fleetReportCommand } from './fleet-report.js'
import type { CliIo } from './io.js'
import { logsCommand } from './logs.js'
import { matrixCommand } from './matrix.js'
import { nameCommand } from './name.js'
import {
  CommandError,
  COMMANDS,
  commandHelp,
  isCommand,
  mainHelp,
  optionalFlag,
  parseCommandArgs,
  UsageError,
  type CommandSpec,
} from './options.js'
import { pruneCommand } from './prune.js'
import { runCommand } from './run.js'

/** An error's message is one line; a longer one is cut (a message quotes what Modal or a catalogue said). */
const MAX_MESSAGE_CHARS = 1000

/** Runs one command; returns its exit code: 0, 1 for a failure (an ERR_* code), 2 for a usage error, as click does. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  // In a workflow step nothing the CLI prints may act as a workflow command: it issues none (outputs and the summary
  // go through their files), and what it prints quotes refs, file names, catalogue and Modal text.
  if (io.env.GITHUB_ACTIONS !== 'true') return runCommandLine(argv, io)
  const fence = randomUUID()
  const close = () => io.err(`::${fence}::\n`)
  io.err(`::stop-commands::${fence}\n`)
  // Ctrl-C and SIGTERM end the process with process.exit (./signals.ts), past the finally below: a fence left open
  // would silence every later workflow command of the step (::add-mask:: too), so it is closed on 'exit' then.
  process.once('exit', close)
  try {
    return await runCommandLine(argv, io)
  } finally {
    process.off('exit', close)
    close()
  }
}

async function runCommandLine(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h') {
    io.out(`${mainHelp()}\n`)
    return command === undefined ? 2 : 0
  }
  if (command === '--version') {
    io.out(`modal-processor ${packageVersion(io.actionRoot)}\n`)
    return 0
  }
  // What the fixes may name: the command and its values, once they are read.
  let values: FixValues = {}
  try {
    if (!isCommand(command)) throw new UsageError(`No such command '${command}'.`)
    const { flags, positionals } = parseCommandArgs(command, rest)
    values = fixValuesFrom({
      command,
      env: optionalFlag(flags, 'env'),
      ref: command === 'name' ? positionals[0] : optionalFlag(flags, 'ref'),
      app: optionalFlag(flags, 'app-name'),
    })
    if (flags.help) {
      io.out(`${commandHelp(command)}\n`)
      return 0
    }
    switch (command) {
      case 'deploy':
        return await deployCommand(flags, io)
      case 'logs':
        return await logsCommand(flags, io)
      case 'run':
        return await runCommand(flags, io)
      case 'matrix':
        return await matrixCommand(flags, io)
      case 'fleet-report':
        return await fleetReportCommand(flags, positionals, io)
      case 'prune':
        return await pruneCommand(flags, io)
      case 'name':
        return nameCommand(positionals, io)
    }
  } catch (error) {
    // Messages quote what was given (refs, file names, catalogue and Modal text): printed as logText, line by line.
    if (error instanceof ActionError) {
      io.err(`${logText(errorText(error, values).trimEnd())}\n`)
      return (COMMANDS[command as keyof typeof COMMANDS] as CommandSpec | undefined)?.failureExitCode ?? 1
    }
    if (error instanceof CommandError) {
      io.err(`${logText(`Error: ${error.message}`)}\n`)
      return 2
    }
    if (error instanceof UsageError) {
      const usage = `Usage: modal-processor ${command} [OPTIONS]\nTry 'modal-processor ${command} --help' for help.\n\nError: ${error.message}`
      io.err(`${logText(usage)}\n`)
      return 2
    }
    // A bug of the CLI itself: one titled line and the fix, never a raw stack.
    io.err(`${logText(errorText(new ActionError('ERR_UNEXPECTED', describeUnexpected(error)), values).trimEnd())}\n`)
    return 1
  }
}

/** `ERR_…: message` on one line, then the fix in the CLI's words with the command's values filled in. */
function errorText(error: ActionError, values: FixValues): string {
  return `${error.code}: ${oneLine(bounded(error.message, MAX_MESSAGE_CHARS))}\nFix: ${fixFor({ code: error.code, ...error.details }, 'cli', values)}\n`
}

/** The version of the package the CLI ships in (its package.json sits next to dist/). */
function packageVersion(actionRoot: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(actionRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}
