// The step's Modal client, wired to a toolkit: where its sessions come from, retries reported as warnings, the
// deploy's output to the log.
import { DEFAULT_RETRY } from '../rules/retry.js'
import type { Settings } from '../rules/settings.js'
import { ModalClient } from '../modal/client.js'
import type { FolderCache, InstallLog } from '../modal/client-environment.js'
import { ensureModalClient, type ModalInstallation } from '../modal/install.js'
import { hasCacheService } from '../rules/client-install.js'
import type { SessionProcess } from '../modal/session-process.js'
import type { Toolkit } from './toolkit.js'
import type { SessionConnector } from '../modal/session-keeper.js'

/**
 * The step's Modal client; the first check finds (or installs) the client and starts the session. `onLocated` is told
 * which client that is (the modal-path output).
 */
export function connectClient(
  kit: Toolkit,
  settings: Settings,
  deployLog: { write(line: string): void },
  sessions: SessionSource,
  onLocated: (installation: ModalInstallation) => void = () => {},
): ModalClient {
  const locate = async () => {
    const installation = await ensureModalClient({
      env: kit.env,
      modalVersion: settings.modalVersion,
      log: installLog(kit),
      cache: () => cacheService(kit.env),
    })
    onLocated(installation)
    return installation
  }
  return clientFor(kit, locate, deployLog, sessions)
}

/** The install's lines in a group of the step log; what pip printed is untrusted text. */
function installLog(kit: Toolkit): InstallLog {
  return {
    info: (line) => kit.info(line),
    output: (lines) => kit.untrusted(lines),
    group: async (title, body) => {
      kit.startGroup(title)
      try {
        return await body()
      } finally {
        kit.endGroup()
      }
    },
  }
}

/** The runner's cache service; its library is loaded only when the runner has one (a bundle of its own). */
async function cacheService(env: NodeJS.ProcessEnv): Promise<FolderCache | null> {
  if (!hasCacheService(env)) return null
  const { actionsCache } = await import('../platform/cache-service.js')
  return actionsCache()
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
