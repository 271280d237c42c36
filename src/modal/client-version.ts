// Which Modal client versions the action works with, and which flags came when.

/** `Function.from_name(..., version=)` and the snake_case --json keys this action relies on came with 1.5.0. */
export const MINIMUM_CLIENT_VERSION = '1.5.0'

/** `modal app rollback --strategy` came with 1.5.1. */
export const ROLLBACK_STRATEGY_VERSION = '1.5.1'

export function isSupportedClientVersion(version: string): boolean {
  return isAtLeast(version, MINIMUM_CLIENT_VERSION)
}

export function isAtLeast(version: string, minimum: string): boolean {
  const parts = (v: string) => v.split('.').map((n) => Number.parseInt(n, 10) || 0)
  const [have, need] = [parts(version), parts(minimum)]
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== (need[i] ?? 0)) return (have[i] ?? 0) > (need[i] ?? 0)
  return true
}
