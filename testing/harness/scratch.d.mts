export function scratchDir(prefix: string): string
export function removeScratchDirs(): void
export function removeScratchDirsOnExit(): void
