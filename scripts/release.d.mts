export const RELEASE_ERRORS: Record<string, string>

export interface VersionTag {
  tag: string
  version: string
  major: number
  minor: number
  patch: number
  prerelease: string[]
}

export function parseVersionTag(tag: string): VersionTag | null
export function compareVersions(a: VersionTag, b: VersionTag): number
export function changelogSection(
  changelog: string,
  version: string,
): { body: string; problem?: undefined; code?: undefined } | { problem: string; body?: undefined; code?: 'ERR_RELEASE_CHANGELOG_FENCE' }
export function escapeData(text: string): string
export function release(options?: {
  /** Only the checks: changes nothing, needs no token. */
  checkOnly?: boolean
  env?: Record<string, string | undefined>
  cwd?: string
  /** The command (and its arguments) that exits non-zero when dist/ is not the bundle of src/. */
  distCheck?: string[]
  write?: (text: string) => void
  apiTimeoutMs?: number
}): Promise<number>
export function parseArguments(args: string[]): { error: string; checkOnly?: undefined } | { checkOnly: boolean; error?: undefined }
