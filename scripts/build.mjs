// Bundles the action and the CLI into dist/ with esbuild: deterministic, minified CommonJS (the toolkit is ESM-only,
// and CommonJS output needs no createRequire banner). The action is two files: a small entry point that starts the
// Modal session, then the flow (main.cjs), which Node parses and loads while Python loads the Modal client.
import { build } from 'esbuild'
import { chmod, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export const BUNDLES = [
  { entry: 'src/action/index.ts', outfile: 'dist/index.cjs', banner: '' },
  { entry: 'src/action/main.ts', outfile: 'dist/main.cjs', banner: '' },
  { entry: 'src/cli/entry.ts', outfile: 'dist/cli.cjs', banner: '#!/usr/bin/env node', executable: true },
  // @actions/cache (about 1.2 MB): loaded only on a runner with a cache service, when the client must be installed.
  // One of its libraries reads import.meta.url, which CommonJS has not: it is given this file's URL.
  {
    entry: 'src/platform/cache-service.ts',
    outfile: 'dist/cache.cjs',
    banner: 'var __importMetaUrl=require("node:url").pathToFileURL(__filename).href;',
    define: { 'import.meta.url': '__importMetaUrl' },
  },
]

/** The entry point's `import('./main.js')` loads dist/main.cjs at run time instead of bundling the flow in. */
const flowInItsOwnFile = {
  name: 'flow-in-its-own-file',
  setup(build) {
    build.onResolve({ filter: /^\.\/main\.js$/ }, (args) =>
      args.importer.endsWith(`action${path.sep}index.ts`) ? { path: './main.cjs', external: true } : undefined,
    )
  },
}

/** The flow's `import('../platform/cache-service.js')` loads dist/cache.cjs at run time, only when it is needed. */
const cacheServiceInItsOwnFile = {
  name: 'cache-service-in-its-own-file',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/platform\/cache-service\.js$/ }, (args) =>
      args.importer.endsWith(`flow${path.sep}modal-client.ts`) ? { path: './cache.cjs', external: true } : undefined,
    )
  },
}

/** esbuild's options for one bundle, written under `root` (the repository, or a copy of the action for tests). */
function options(bundle, write, root = REPO_ROOT) {
  return {
    entryPoints: [path.join(REPO_ROOT, bundle.entry)],
    outfile: path.join(root, bundle.outfile),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // `import('./main.cjs')` as a deferred require(): Node's import() of a CommonJS file first scans all of it for its
    // export names (about 60 ms for main.cjs, at every start of the action).
    supported: { 'dynamic-import': false },
    minify: true,
    legalComments: 'none',
    banner: bundle.banner ? { js: bundle.banner } : undefined,
    define: bundle.define,
    write,
    logLevel: 'warning',
    plugins: [flowInItsOwnFile, cacheServiceInItsOwnFile],
  }
}

/** Builds every bundle into `root`/dist/ (by default this repository's). */
export async function buildAll(root = REPO_ROOT) {
  for (const bundle of BUNDLES) {
    await build(options(bundle, true, root))
    if (bundle.executable) await chmod(path.join(root, bundle.outfile), 0o755)
  }
}

/** The bundles that differ from a fresh build of src/. */
export async function staleBundles() {
  const stale = []
  for (const bundle of BUNDLES) {
    const [fresh] = (await build(options(bundle, false))).outputFiles
    const committed = await readFile(path.join(REPO_ROOT, bundle.outfile), 'utf8').catch(() => null)
    if (committed !== fresh.text) stale.push(bundle.outfile)
  }
  return stale
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--check')) {
    const stale = await staleBundles()
    if (stale.length > 0) {
      console.error(`dist/ is not the bundle of src/: ${stale.join(', ')} differ. Run npm run build and commit dist/.`)
      process.exit(1)
    }
    console.log('dist/ matches a fresh build of src/.')
  } else {
    await buildAll()
  }
}
