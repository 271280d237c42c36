// `npm run bench`: what the action itself costs, measured against the local Modal emulator, next to a plain shell
// script making the calls a hand-written workflow would (deploy, then one smoke call). Prints figures and budgets.
import { spawnSync } from 'node:child_process'
import { readFileSync, statSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { Emulator, REFERENCE_PROCESSOR, REPO_ROOT } from '../testing/harness/emulator.mjs'
import { runAction } from '../testing/harness/github-runner.mjs'
import { removeScratchDirsOnExit, scratchDir } from '../testing/harness/scratch.mjs'
import { offlinePipEnv, standInWheelFolder } from '../testing/harness/stand-in-wheel.mjs'

const RUNS = Number(process.env.BENCH_RUNS ?? 7)
// A cold install makes a venv and runs pip: seconds each, so fewer runs.
const INSTALL_RUNS = Number(process.env.BENCH_INSTALL_RUNS ?? 3)
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const ms = (value) => `${value.toFixed(0)} ms`

async function actionRun(emulator, imageRef, inputs) {
  emulator.resetClientLoads()
  const run = await runAction({
    actionDir: REPO_ROOT,
    inputs: { 'processor-ref': REFERENCE_PROCESSOR.ref, 'image-ref': imageRef, 'modal-environment': 'dev', ...inputs },
    env: { ...emulator.env, RUNNER_DEBUG: '1' },
  })
  if (run.exitCode !== 0) throw new Error(`the action failed:\n${run.stdout}`)
  // The action logs the time its Modal session took to start and to answer each request (::debug::modal time: …);
  // its own time is the rest.
  const modalMs = [...run.stdout.matchAll(/^::debug::modal time: .* (\d+) ms$/gm)].reduce((sum, m) => sum + Number(m[1]), 0)
  return { wallMs: run.wallMs, ownMs: run.wallMs - modalMs, loads: emulator.clientLoads() }
}

const SMOKE = `import json, sys, modal
fn = modal.Function.from_name("llm-litellm-v1", "run", environment_name="dev")
print(json.dumps(fn.remote({"schema": "v1", "mode": "mock", "params": {"messages": [{"role": "user", "content": "test"}]}})))`

function shellRun(emulator, imageRef) {
  emulator.resetClientLoads()
  const script = `set -e
cd "${path.join(REPO_ROOT, 'modal')}"
PROCESSOR_REF=llm/litellm@1 IMAGE_REF='${imageRef}' TOOL_SECRETS=OPENAI_API_KEY modal deploy -m modal_app --env dev >/dev/null
python3 -c '${SMOKE}' >/dev/null`
  const started = performance.now()
  const result = spawnSync('bash', ['-c', script], { env: { ...process.env, ...emulator.env }, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`the shell baseline failed:\n${result.stderr}`)
  return { wallMs: performance.now() - started, loads: emulator.clientLoads() }
}

/**
 * The client install: a dry-run step on a runner whose only Python is the system's (no modal on PATH), with a fresh
 * tool cache (a cold install from the local wheel folder) and then with the environment already there (warm: no
 * wheels to install from, so only a reused environment passes).
 */
async function installRuns(emulator, imageRef) {
  const bin = scratchDir('python-only-')
  symlinkSync('/usr/bin/python3', path.join(bin, 'python3'))
  const wheels = standInWheelFolder()
  const noWheels = scratchDir('no-wheels-')
  const step = async (toolCache, wheelFolder) => {
    const run = await runAction({
      actionDir: REPO_ROOT,
      inputs: { 'processor-ref': REFERENCE_PROCESSOR.ref, 'image-ref': imageRef, 'modal-environment': 'dev', 'dry-run': 'true' },
      env: {
        ...emulator.env,
        PATH: `${bin}:/usr/bin:/bin`,
        RUNNER_TOOL_CACHE: toolCache,
        PIP_NO_CACHE_DIR: '1',
        ...offlinePipEnv(wheelFolder),
      },
    })
    if (run.exitCode !== 0) throw new Error(`the install step failed:\n${run.stdout}`)
    return { wallMs: run.wallMs, installed: run.stdout.includes('::group::Install modal') }
  }
  const cold = []
  const warm = []
  // Beside each warm run, the same dry run with modal on PATH: the machine's load moves both alike.
  const onPath = []
  for (let i = 0; i < INSTALL_RUNS; i++) {
    const toolCache = scratchDir('tool-cache-')
    cold.push(await step(toolCache, wheels))
    if (i > 0) continue
    for (let j = 0; j < RUNS; j++) {
      warm.push(await step(toolCache, noWheels))
      onPath.push(await actionRun(emulator, imageRef, { 'dry-run': 'true' }))
    }
  }
  return { cold, warm, onPath }
}

function coldStart() {
  // Inputs that fail validation: the action loads, parses inputs, reports and exits without starting anything.
  const env = { ...process.env, 'INPUT_PROCESSOR-REF': '', GITHUB_OUTPUT: '/dev/null', GITHUB_STEP_SUMMARY: '/dev/null' }
  const time = (args) => {
    const started = performance.now()
    spawnSync(process.execPath, args, { env, stdio: 'ignore' })
    return performance.now() - started
  }
  const action = median(Array.from({ length: RUNS }, () => time([path.join(REPO_ROOT, 'dist', 'index.cjs')])))
  const empty = median(Array.from({ length: RUNS }, () => time(['-e', ''])))
  return { action, empty }
}

// The emulator's home and the runner's folders go when the script ends, also when it fails or is interrupted.
removeScratchDirsOnExit()
const emulator = new Emulator()
const imageRef = emulator.pushReferenceImage()
emulator.prepareEnvironment('dev')

// Every happy-path run really deploys (a new tag alone would be a no-op deploy): the attached secrets alternate.
let releases = 0
const nextRelease = () => ({ 'tool-secrets': releases++ % 2 ? '' : 'OPENAI_API_KEY' })
const happy = []
for (let i = 0; i < RUNS; i++) happy.push(await actionRun(emulator, imageRef, nextRelease()))
// rollout: verify-first, each a new release too: a candidate app deployed, smoke-called and stopped, then the live one.
const verifyFirst = []
for (let i = 0; i < RUNS; i++) verifyFirst.push(await actionRun(emulator, imageRef, { ...nextRelease(), rollout: 'verify-first' }))
const callOnly = []
for (let i = 0; i < RUNS; i++) callOnly.push(await actionRun(emulator, imageRef, { deploy: 'false' }))
const dryRun = []
for (let i = 0; i < RUNS; i++) dryRun.push(await actionRun(emulator, imageRef, { 'dry-run': 'true' }))
const shell = []
for (let i = 0; i < RUNS; i++) shell.push(shellRun(emulator, imageRef))
const install = await installRuns(emulator, imageRef)
const cold = coldStart()
const bundles = ['index.cjs', 'main.cjs', 'cli.cjs'].map((file) => ({ file, bytes: statSync(path.join(REPO_ROOT, 'dist', file)).size }))
// @actions/cache, loaded only on a runner with a cache service when the client must be installed.
const cacheBundle = statSync(path.join(REPO_ROOT, 'dist', 'cache.cjs')).size
const cacheInlined = bundles.filter((b) => readFileSync(path.join(REPO_ROOT, 'dist', b.file), 'utf8').includes('artifactcache'))

const actionWall = median(happy.map((r) => r.wallMs))
const verifyFirstWall = median(verifyFirst.map((r) => r.wallMs))
const verifyFirstRatio = verifyFirstWall / actionWall
const verifyFirstLoads = Math.max(...verifyFirst.map((r) => r.loads))
const shellWall = median(shell.map((r) => r.wallMs))
const ownMs = median(happy.map((r) => r.ownMs))
const loads = Math.max(...happy.map((r) => r.loads))
const callOnlyLoads = Math.max(...callOnly.map((r) => r.loads))
const dryRunLoads = Math.max(...dryRun.map((r) => r.loads))
const shellLoads = Math.max(...shell.map((r) => r.loads))
const coldInstall = median(install.cold.map((r) => r.wallMs))
const warmInstall = median(install.warm.map((r) => r.wallMs))
const onPathWall = median(install.onPath.map((r) => r.wallMs))

console.log(
  `Machine: ${process.platform} ${process.arch}, ${(await import('node:os')).cpus().length} cores, Node ${process.version}; ${RUNS} runs each, medians.`,
)
console.log('')
const row = (label, runs, loadCount) =>
  console.log(
    `${label.padEnd(32)}${ms(median(runs.map((r) => r.wallMs)))} wall, ${ms(median(runs.map((r) => r.ownMs)))} own, ${loadCount} Modal client process(es)`,
  )
console.log('own = wall minus the time the Modal session spent starting and answering requests')
row('action, deploy + smoke', happy, loads)
row('action, verify-first', verifyFirst, verifyFirstLoads)
row('action, deploy: false', callOnly, callOnlyLoads)
row('action, dry run', dryRun, dryRunLoads)
console.log(`${'shell baseline, deploy + smoke'.padEnd(32)}${ms(shellWall)} wall, ${shellLoads} Modal client process(es)`)
console.log(`ratio action / shell            ${(actionWall / shellWall).toFixed(2)}`)
console.log(`ratio verify-first / live       ${verifyFirstRatio.toFixed(2)}`)
console.log(`cold start (load dist, parse)   ${ms(cold.action)} (empty node script: ${ms(cold.empty)})`)
console.log(`install, cold (venv + pip, local wheels) ${ms(coldInstall)} step wall (dry run), ${INSTALL_RUNS} runs`)
console.log(`install, warm (environment reused)     ${ms(warmInstall)} step wall (dry run); modal on PATH: ${ms(onPathWall)}`)
for (const b of bundles) console.log(`bundle dist/${b.file.padEnd(18)} ${(b.bytes / 1024).toFixed(0)} KiB`)
console.log(`bundle dist/cache.cjs          ${(cacheBundle / 1024).toFixed(0)} KiB (loaded only with a cache service)`)
console.log('')

const budgets = [
  [`happy path loads the Modal client in 1 process (${loads})`, loads === 1],
  [`deploy: false loads it in 1 process (${callOnlyLoads})`, callOnlyLoads === 1],
  // The candidate's deploy, read-back, smoke call and stop, and a second session for the live deploy (the first one
  // keeps the module as the candidate's deploy imported it).
  [`verify-first costs at most 2.5× a live rollout's wall time (${verifyFirstRatio.toFixed(2)}×)`, verifyFirstRatio <= 2.5],
  [`verify-first loads the Modal client in at most 2 processes (${verifyFirstLoads})`, verifyFirstLoads <= 2],
  [`dry run loads it in 1 process (${dryRunLoads})`, dryRunLoads === 1],
  [`the action's own time is at most 150 ms median (${ms(ownMs)})`, ownMs <= 150],
  ...bundles.map((b) => [`dist/${b.file} stays under 1 MB (${(b.bytes / 1e6).toFixed(2)} MB)`, b.bytes < 1e6]),
  [`every cold run installed, no warm run did`, install.cold.every((r) => r.installed) && install.warm.every((r) => !r.installed)],
  [`a warm client environment costs at most 300 ms over modal on PATH (${ms(warmInstall - onPathWall)})`, warmInstall - onPathWall <= 300],
  [`a warm step takes at most a quarter of a cold install's (${(warmInstall / coldInstall).toFixed(2)})`, warmInstall <= coldInstall / 4],
  [
    `@actions/cache is in none of the bundles every step loads (${cacheInlined.map((b) => b.file).join(', ') || 'none'})`,
    cacheInlined.length === 0,
  ],
  [`dist/cache.cjs stays under 1.5 MB (${(cacheBundle / 1e6).toFixed(2)} MB)`, cacheBundle < 1.5e6],
]
for (const [what, ok] of budgets) console.log(`${ok ? 'PASS' : 'FAIL'}  ${what}`)
process.exit(budgets.every(([, ok]) => ok) ? 0 : 1)
