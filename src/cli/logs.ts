// `modal-processor logs`: `modal app logs` of the processor's app, streamed through the command's Modal session.
import { ActionError } from '../rules/errors.js'
import { logLines, logText } from '../rules/untrusted-text.js'
import type { CliIo } from './io.js'
import { appNameOf, commandClient } from './modal.js'
import { optionalFlag, requiredFlag, UsageError, type Flags } from './options.js'

// setTimeout's longest delay (about 24 days): "until Ctrl-C" for --follow.
const FOLLOW_FOREVER_MS = 2 ** 31 - 1
const LOGS_TIMEOUT_MS = 300_000

export async function logsCommand(flags: Flags, io: CliIo): Promise<number> {
  const app = appNameOf(flags)
  const env = requiredFlag(flags, 'env')
  const tail = optionalFlag(flags, 'tail') ?? '100'
  if (!/^[1-9][0-9]*$/.test(tail)) throw new UsageError(`--tail must be a positive whole number, got '${tail}'.`)
  const follow = flags.follow === true
  const client = commandClient(io)
  try {
    // Logs stream through line by line, each a logLine (the processor's output reaches a terminal); only a failure is
    // read, to name it.
    const args = [app, '--env', env, ...(follow ? ['--follow'] : ['-n', tail])]
    const result = await client.streamLogs(args, follow ? FOLLOW_FOREVER_MS : LOGS_TIMEOUT_MS, (line, stream) => {
      if (stream === 'stdout')
        io.out(
          logLines(line.replace(/\r$/, ''))
            .map((part) => `${part}\n`)
            .join(''),
        )
    })
    if (result.exitCode === 0) return 0
    if (/No App with name/.test(result.stderr)) {
      const ref = optionalFlag(flags, 'ref') ?? app
      throw new ActionError(
        'ERR_FUNCTION_NOT_FOUND',
        `No app ${app} in environment ${env}: was ${ref} deployed there? Check: modal app list --env ${env}`,
      )
    }
    if (result.stderr !== '') io.err(`${logText(result.stderr.replace(/\r?\n$/, ''))}\n`)
    return result.exitCode
  } catch (error) {
    // Ctrl-C is how one leaves --follow.
    if (follow && error instanceof ActionError && error.code === 'ERR_CANCELLED') return 130
    throw error
  } finally {
    await client.close()
  }
}
