// Where the Modal session of a batch of deploys comes from: one session process for all of them (the client found, or
// installed, once), or the caller's connector (tests).
import type { InstallLog } from '../modal/client-environment.js'
import { ensureModalClient, type ModalInstallation } from '../modal/install.js'
import { ModalSession } from '../modal/session.js'
import type { SessionConnector } from '../modal/session-keeper.js'
import { SessionProcess, sessionOptions } from '../modal/session-process.js'
import { SharedSession } from '../modal/shared-session.js'
import { cacheService } from './modal-client.js'

/**
 * The batch's session. Without a connector the client is found (or installed) first, outside every phase's deadline
 * as for a single deploy; when that fails, each deploy's first check fails with it, and its report says so.
 */
export async function batchSession(
  options: { env: NodeJS.ProcessEnv; actionRoot: string; modalVersion: string; log: InstallLog },
  connect?: SessionConnector,
): Promise<SharedSession> {
  if (connect !== undefined) return new SharedSession(connect)
  const { env, modalVersion, log } = options
  const installation: Promise<ModalInstallation> = ensureModalClient({ env, modalVersion, log, cache: () => cacheService(env) })
  await installation.catch(() => {})
  return new SharedSession(async (timeoutMs) => {
    const process = new SessionProcess(sessionOptions(await installation, options.env, options.actionRoot))
    return ModalSession.connect(process, timeoutMs, () => {})
  })
}
