import type { Stats } from 'node:fs'

export function kindOfStats(
  stats: Pick<Stats, 'isFile' | 'isDirectory' | 'isSymbolicLink' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>,
): string
export function kindOfGitMode(mode: string): string
export function notRegular(kind: string): string
export function tooLarge(maxBytes: number): string
