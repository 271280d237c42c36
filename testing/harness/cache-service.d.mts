export function loopbackCacheService(): Promise<{ url: string; close: () => Promise<void>; requests: string[] }>
