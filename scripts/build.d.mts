export const BUNDLES: { entry: string; outfile: string; banner: string; executable?: boolean }[]
export function buildAll(root?: string): Promise<void>
export function staleBundles(): Promise<string[]>
