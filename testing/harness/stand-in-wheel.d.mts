export function standInWheelFolder(): string
export function offlinePipEnv(folder: string): { PIP_NO_INDEX: string; PIP_FIND_LINKS: string }
