// Bundles the action (and later the CLI) into dist/ with esbuild: deterministic, minified, CommonJS.
import { build } from 'esbuild'
import { readFile } from 'node:fs/promises'

export const ENTRY_POINTS = { index: 'src/index.ts' }

export function bundleOptions(write) {
  return {
    entryPoints: ENTRY_POINTS,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    minify: true,
    legalComments: 'none',
    sourcemap: false,
    write,
    logLevel: 'warning',
  }
}

/** The bundle as it would be written, for comparison with the committed dist/. */
export async function bundleInMemory() {
  const result = await build(bundleOptions(false))
  return result.outputFiles.map((file) => ({ path: file.path, text: file.text }))
}

export async function differencesFromDist() {
  const stale = []
  for (const file of await bundleInMemory()) {
    const committed = await readFile(file.path, 'utf8').catch(() => null)
    if (committed !== file.text) stale.push(file.path)
  }
  return stale
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--check')) {
    const stale = await differencesFromDist()
    if (stale.length > 0) {
      console.error(`dist/ is not the bundle of src/: ${stale.join(', ')} differ. Run npm run build and commit dist/.`)
      process.exit(1)
    }
    console.log('dist/ matches a fresh build of src/.')
  } else {
    await build(bundleOptions(true))
  }
}
