// The apps of an environment beside the deploy itself: `modal app list --json`, for prune. What the client prints is
// read here; what to stop is decided by the caller (and stopped through ModalClient.app).
import * as z from 'zod'
import { ActionError, type ErrorCode } from '../rules/errors.js'
import type { ModalClient } from './client.js'
import { errorPanelMessage, tail } from './output.js'
import { commandLine, type PhaseTerms } from './session-keeper.js'

/** One row of `modal app list --json` (1.5+): the deployment name is in `description`; there is no name key. */
export interface ListedApp {
  appId: string
  name: string
  state: string
}

/** The states of an app that no longer runs: nothing to stop. */
const STOPPED_STATES = ['stopped', 'stopping...']

export function isRunning(app: ListedApp): boolean {
  return !STOPPED_STATES.includes(app.state)
}

function terms(code: ErrorCode, args: string[], timeoutMs: number): PhaseTerms {
  return {
    deadline: Date.now() + timeoutMs,
    timeout: (stderrTail) =>
      new ActionError(code, `${commandLine(args)} did not finish within ${Math.round(timeoutMs / 1000)}s.`, { stderrTail }),
    failure: code,
    subject: commandLine(args.slice(0, 2)),
  }
}

function failure(code: ErrorCode, args: string[], result: { exitCode: number; stderr: string }): ActionError {
  const said = errorPanelMessage(result.stderr) ?? (tail(result.stderr, 1, 500) || 'no error output')
  return new ActionError(code, `${commandLine(args)} exited with code ${result.exitCode}: ${said}`, {
    command: commandLine(args),
    stderrTail: tail(result.stderr),
  })
}

const listSchema = z.array(z.object({ app_id: z.string(), description: z.string().nullable(), state: z.string() }))

/** `modal app list --env <env> --json`: every app there, running or recently stopped. */
export async function listApps(client: ModalClient, environment: string, code: ErrorCode, timeoutMs: number): Promise<ListedApp[]> {
  const args = ['app', 'list', '--env', environment, '--json']
  const result = await client.command(args, terms(code, args, timeoutMs))
  if (result.exitCode !== 0) throw failure(code, args, result)
  let parsed: z.infer<typeof listSchema>
  try {
    parsed = listSchema.parse(JSON.parse(result.stdout))
  } catch {
    throw new ActionError(code, `${commandLine(args)} printed output that is not a list of apps: ${tail(result.stdout, 3, 300)}`)
  }
  return parsed.map((row) => ({ appId: row.app_id, name: row.description ?? '', state: row.state }))
}
