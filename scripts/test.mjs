// `npm test`: every check of the repository, in two lanes that run side by side on a 2-core machine. The jest suite
// mostly waits on the processes it starts (the action, the Modal session, the emulator), so the type check, the lint,
// the Python suites, the documentation's shell blocks and the dist/ check run beside it. Each step's output is
// printed whole when it ends, so nothing interleaves; the exit code is 1 when any step failed.
import { Buffer } from 'node:buffer'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import path from 'node:path'

const npmRun = (script) => ['npm', ['run', '--silent', script]]
const lanes = [
  [['jest: unit, flow and end-to-end tests', ...npmRun('test:ts')]],
  [
    ['type check (tsc)', ...npmRun('typecheck')],
    ['lint (eslint, prettier)', ...npmRun('lint')],
    ['Python suites', ...npmRun('test:py')],
    ['documentation shell blocks', ...npmRun('test:docs')],
    ['dist/ is the bundle of src/', ...npmRun('check-dist')],
  ],
]

/**
 * A PATH whose first `python3` is a virtual environment of the python3 on PATH, made without packages: the same
 * interpreter and standard library, found faster (a version manager's shim, pyenv's, runs a shell script at every
 * start) and started faster (the .pth files of the system's site-packages run at every start of a plain interpreter;
 * one of this machine's imports certifi). The suites start Python over a thousand times, and need nothing installed:
 * this also proves that. When no venv can be made, a link to the interpreter itself.
 */
function pathWithQuickPython(env) {
  const found = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', env })
  const executable = found.status === 0 ? found.stdout.trim() : ''
  if (executable === '') return env.PATH
  const dir = path.resolve('node_modules/.cache/test-python')
  rmSync(dir, { recursive: true, force: true })
  const venv = spawnSync(executable, ['-m', 'venv', '--without-pip', dir], { stdio: 'ignore', env })
  if (venv.status === 0) return `${path.join(dir, 'bin')}${path.delimiter}${env.PATH}`
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const name of ['python3', 'python']) symlinkSync(realpathSync(executable), path.join(dir, name))
  return `${dir}${path.delimiter}${env.PATH}`
}

const env = { ...process.env, PATH: pathWithQuickPython(process.env) }

function runStep([title, command, args]) {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const output = []
    child.stdout.on('data', (chunk) => output.push(chunk))
    child.stderr.on('data', (chunk) => output.push(chunk))
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)))
    child.on('close', (code) => {
      const seconds = Math.round((Date.now() - started) / 1000)
      process.stdout.write(`\n== ${title}\n`)
      process.stdout.write(Buffer.concat(output))
      resolve({ title, ok: code === 0, seconds })
    })
  })
}

const started = Date.now()
const results = (
  await Promise.all(
    lanes.map(async (steps) => {
      const done = []
      for (const step of steps) done.push(await runStep(step))
      return done
    }),
  )
).flat()

console.log('\n== npm test')
for (const { title, ok, seconds } of results) console.log(`${ok ? 'PASS' : 'FAIL'} ${title} (${seconds} s)`)
console.log(`${Math.round((Date.now() - started) / 1000)} s in all`)
process.exit(results.every((result) => result.ok) ? 0 : 1)
