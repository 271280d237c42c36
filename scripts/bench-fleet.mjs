// The fleet's figures for `npm run bench`: a batch of processors deployed through one Modal session against as many
// separate CLI runs, and the time `matrix` takes to plan a catalogue of 1,000 processors.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from '../testing/harness/emulator.mjs'
import { scratchDir } from '../testing/harness/scratch.mjs'

const CLI = path.join(REPO_ROOT, 'dist', 'cli.cjs')
const BATCH = 20
const PLANNED = 1000

/** A folder with a catalogue of `refs`, all on the emulator's reference image. */
function catalogueDir(refs, imageRef) {
  const dir = scratchDir('bench-fleet-')
  const processors = Object.fromEntries(refs.map((ref) => [ref, { image: { oci: imageRef }, tool_secrets: ['OPENAI_API_KEY'] }]))
  writeFileSync(path.join(dir, 'modal-processors.json'), JSON.stringify({ processors }, null, 2))
  return dir
}

function timedCli(args, cwd, env) {
  const started = performance.now()
  const run = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env, GITHUB_WORKSPACE: cwd }, encoding: 'utf8' })
  const wallMs = performance.now() - started
  if (run.status !== 0) throw new Error(`modal-processor ${args.join(' ')} failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`)
  return { wallMs, stdout: run.stdout }
}

/**
 * The CLI's wall and its CPU time (user and system, its git processes included, as bash's `times` reports for the
 * children it waited for): on a shared machine the wall also holds the time spent waiting for a core.
 */
function cpuTimedCli(args, cwd) {
  const out = path.join(cwd, '.bench-out.json')
  const script = 'node "$0" "$@" >"$BENCH_OUT" 2>/dev/null; status=$?; times; exit $status'
  const started = performance.now()
  const run = spawnSync('bash', ['-c', script, CLI, ...args], { cwd, env: { ...process.env, BENCH_OUT: out }, encoding: 'utf8' })
  const wallMs = performance.now() - started
  if (run.status !== 0) throw new Error(`modal-processor ${args.join(' ')} failed (exit ${run.status}):\n${run.stderr}`)
  const seconds = (text) => [...text.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0)
  const children = run.stdout.trim().split('\n').at(-1)
  return { wallMs, cpuMs: seconds(children) * 1000, stdout: readFileSync(out, 'utf8') }
}

/** 20 processors deployed by one `deploy --refs` against 20 `deploy --ref` runs; each set deploys apps of its own. */
export function benchBatch(emulator, imageRef) {
  const refs = (prefix) => Array.from({ length: BATCH }, (_, i) => `${prefix}/p${i}@1`)
  const batchRefs = refs('batch')
  const singleRefs = refs('single')
  const dir = catalogueDir([...batchRefs, ...singleRefs], imageRef)
  emulator.resetClientLoads()
  const batch = timedCli(['deploy', '--env=dev', `--refs=${batchRefs.join(',')}`, '--quiet'], dir, emulator.env)
  const batchLoads = emulator.clientLoads()
  emulator.resetClientLoads()
  let separateMs = 0
  for (const ref of singleRefs) separateMs += timedCli(['deploy', '--env=dev', `--ref=${ref}`, '--quiet'], dir, emulator.env).wallMs
  const separateLoads = emulator.clientLoads()
  return { count: BATCH, batchMs: batch.wallMs, separateMs, batchLoads, separateLoads, ratio: batch.wallMs / separateMs }
}

/** `matrix` over 1,000 processors: with no base (all of them), and against a commit (10 entries changed). */
export function benchPlan() {
  const refs = Array.from({ length: PLANNED }, (_, i) => `team${i}/proc@1`)
  const dir = scratchDir('bench-plan-')
  const entry = (i, hex) => ({
    image: { oci: `ghcr.io/acme/p${i}:1@sha256:${hex.repeat(64)}` },
    tool_secrets: [],
    local_command: `p${i}/bin/run`,
  })
  const catalogue = (changed) =>
    JSON.stringify({ processors: Object.fromEntries(refs.map((ref, i) => [ref, entry(i, i < changed ? 'b' : 'a')])) }, null, 2)
  const git = (...args) => execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@example.com', ...args], { cwd: dir })
  git('init', '-q')
  for (let i = 0; i < PLANNED; i++) {
    mkdirSync(path.join(dir, `p${i}`, 'bin'), { recursive: true })
    writeFileSync(path.join(dir, `p${i}`, 'bin', 'run'), '#!/bin/sh\n')
  }
  writeFileSync(path.join(dir, 'modal-processors.json'), catalogue(0))
  git('add', '.')
  git('commit', '-qm', 'base')
  writeFileSync(path.join(dir, 'modal-processors.json'), catalogue(10))
  git('commit', '-qam', 'ten changed')
  // Medians of three: the whole command (Node's start, the catalogue read twice, git) as a workflow step runs it.
  const median = (args) => {
    const runs = [0, 1, 2].map(() => cpuTimedCli(args, dir))
    const middle = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[1]
    return { wallMs: middle('wallMs'), cpuMs: middle('cpuMs'), stdout: runs[0].stdout }
  }
  const all = median(['matrix'])
  const changed = median(['matrix', '--changed-since=HEAD~1'])
  const jobs = JSON.parse(all.stdout).include.length
  return { count: PLANNED, all, changed, jobs }
}
