// `modal-processor logs`: `modal app logs` of the processor's app, streamed through the command's Modal session.
import { classifyReadFailure, failureText } from '../modal/output.js'
import { ActionError } from '../rules/errors.js'
import { logLines } from '../rules/untrusted-text.js'
import type { CliIo } from './io.js'
import { appNameFromFlags, commandClient, environmentOf } from './modal.js'
import { optionalFlag, requiredFlag, UsageError, type Flags } from './options.js'

// setTimeout's longest delay (about 24 days): "until Ctrl-C" for --follow.
const FOLLOW_FOREVER_MS = 2 ** 31 - 1
const LOGS_TIMEOUT_MS = 300_000

export async function logsCommand(flags: Flags, io: CliIo): Promise<number> {
  const app = appNameFromFlags(flags)
  const env = environmentOf(flags)
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
    // Read like any Modal failure, never passed through: the client's panel is 1,000 columns wide (COLUMNS=1000).
    const code = classifyReadFailure(result.stderr)
    if (code === 'ERR_FUNCTION_NOT_FOUND') {
      throw new ActionError(code, `No app ${app} in environment ${env}: was ${requiredFlag(flags, 'ref')} deployed there?`)
    }
    throw new ActionError(code, `modal app logs failed: ${failureText(result.stderr)}`)
  } catch (error) {
    // Ctrl-C is how one leaves --follow.
    if (follow && error instanceof ActionError && error.code === 'ERR_CANCELLED') return 130
    throw error
  } finally {
    await client.close()
  }
}
