// Bounded exponential backoff with jitter, for transient failures only.

export interface RetryPolicy {
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 15000 }

/** Full jitter: a random delay up to base·2^(retry-1), capped. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  return Math.round(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1)))
}

export interface RetryHooks {
  sleep: (ms: number) => Promise<void>
  random: () => number
  onRetry: (retry: number, delayMs: number, reason: string) => void
}

/**
 * Runs `attempt` until it returns a result that is not transient or the attempts are used up.
 * `transientReason` returns why a result may be retried, or null when it is final.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  transientReason: (result: T) => string | null,
  policy: RetryPolicy,
  hooks: RetryHooks,
): Promise<T> {
  for (let tried = 1; ; tried++) {
    const result = await attempt()
    const reason = transientReason(result)
    if (reason === null || tried >= policy.attempts) return result
    const delay = backoffDelay(tried, policy, hooks.random)
    hooks.onRetry(tried, delay, reason)
    await hooks.sleep(delay)
  }
}
