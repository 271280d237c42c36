// The runner's cache service through @actions/cache. It is a large library (about 1.2 MB bundled), so it is a bundle of
// its own (dist/cache.cjs), loaded only on a runner that has the service (see flow/modal-client.ts).
import { isFeatureAvailable, restoreCache, saveCache } from '@actions/cache'

/** A folder kept by the cache service under a key; null when the library finds no service after all. */
export function actionsCache(): {
  restore(folder: string, key: string): Promise<boolean>
  save(folder: string, key: string): Promise<void>
} | null {
  if (!isFeatureAvailable()) return null
  return {
    restore: async (folder, key) => (await restoreCache([folder], key)) !== undefined,
    // saveCache reports its own failures (another job saving the same key is a line of info, the rest a warning) and
    // does not throw for them: a cache that cannot be saved never fails the step.
    save: async (folder, key) => {
      await saveCache([folder], key)
    },
  }
}
