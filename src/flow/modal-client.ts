// The step's Modal client, wired to a toolkit: where its sessions come from, retries reported as warnings, the
// deploy's output to the log.
import { DEFAULT_RETRY } from '../rules/retry.js'
import type { Settings } from '../rules/settings.js'
import { ModalClient } from '../modal/client.js'
import { ensureModalClient, type ModalInstallation } from '../modal/install.js'
import type { SessionProcess } from '../modal/session-process.js'
import type { Toolkit } from './toolkit.js'
import type { SessionConnector } from '../modal/session-keeper.js'

/** The step's Modal client; the first check finds (or installs) the client and starts the session. */
export function connectClient(
  kit: Toolkit,
  settings: Settings,
  deployLog: { write(line: string): void },
  sessions: SessionSource,
): ModalClient {
  return clientFor(kit, () => ensureModalClient(kit.env, settings.modalVersion, (line) => kit.info(line)), deployLog, sessions)
}

/** Where the step's Modal sessions come from: a process the entry point started early, or a connector (tests). */
export interface SessionSource {
  prestarted?: SessionProcess | null
  connect?: SessionConnector
}

/** The Modal client wired to a toolkit: retries reported as warnings, the deploy's output to `deployLog`. */
export function clientFor(
  kit: Toolkit,
  locate: () => Promise<ModalInstallation>,
  deployLog: { write(line: string): void },
  sessions: SessionSource = {},
): ModalClient {
  return new ModalClient({
    locate,
    actionRoot: kit.actionRoot,
    ...sessions,
    env: kit.env,
    retry: DEFAULT_RETRY,
    hooks: {
      sleep: kit.sleep,
      random: kit.random,
      onRetry: (retry, delayMs, reason) =>
        kit.annotate(
          'warning',
          'Retrying a transient Modal failure',
          `Attempt ${retry} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)}s.`,
        ),
    },
    onOutputLine: (line) => deployLog.write(line),
    onTiming: (what, durationMs) => kit.debug(`modal time: ${what} ${durationMs} ms`),
  })
}
