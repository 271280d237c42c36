// One Modal session for a batch of deploys: each deploy's client gets the same session (its close leaves it open),
// and the batch ends it at the end. A session that failed is dropped, and the next request starts a new one.
import { SessionFailure, type Operation } from './session.js'
import type { Session, SessionConnector } from './session-keeper.js'

export class SharedSession {
  private current: Session | null = null
  /** How many sessions were started (one, unless one failed on the way). */
  started = 0

  constructor(private readonly start: SessionConnector) {}

  /** A connector for one deploy's client: the shared session, started on first need. */
  readonly connect: SessionConnector = async (timeoutMs) => {
    if (this.current === null) {
      this.current = await this.start(timeoutMs)
      this.started++
    }
    return this.lease(this.current)
  }

  /** Ends the shared session (at the end of the batch). */
  async close(): Promise<void> {
    const session = this.current
    this.current = null
    await session?.close()
  }

  private lease(session: Session): Session {
    return {
      clientVersion: session.clientVersion,
      request: async <Op extends Operation>(op: Op, args: Record<string, unknown>, how: Parameters<Session['request']>[2]) => {
        try {
          return await session.request(op, args, how)
        } catch (error) {
          // Ended by its failure (a timeout, a cancel, a crash): the next deploy must not be handed a dead session.
          if (error instanceof SessionFailure && error.kind !== 'refused' && this.current === session) {
            this.current = null
            await session.close().catch(() => {})
          }
          throw error
        }
      },
      // One deploy's end (or its retry asking for a fresh import, which the session gives anyway) keeps it open.
      close: async () => {},
    }
  }
}
