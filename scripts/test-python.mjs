// Runs every Python suite (stdlib unittest only): the code that runs inside Modal (the module, the processor
// runtime, the reference processor), the Modal session the action and the CLI start, the CLI's local adapter, the
// emulator, and the Django management commands.
import { Buffer } from 'node:buffer'
import { spawn, spawnSync } from 'node:child_process'

const importsDjango = (python) => spawnSync(python, ['-c', 'import django'], { stdio: 'ignore' }).status === 0
// Django comes from Debian's python3-django, installed for the system interpreter, which need not be the python3 on
// PATH (pyenv, actions/setup-python).
const djangoPython = ['python3', '/usr/bin/python3'].find(importsDjango)

const discover = ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.']
const suites = [
  // The longest first, so the others run beside it.
  { name: 'testing/emulator/', cwd: 'testing/emulator', python: 'python3', args: discover },
  { name: 'modal/ and processors/', cwd: 'modal', python: 'python3', args: discover },
  { name: 'modal-session/', cwd: 'modal-session', python: 'python3', args: discover },
  { name: 'local-adapter/', cwd: 'local-adapter', python: 'python3', args: discover },
  { name: 'integrations/django/', cwd: 'integrations/django', python: djangoPython, args: discover },
]

// Two suites at a time (the machine's two cores); each one's output is printed whole when it ends, so none interleave.
const CONCURRENCY = 2

function runSuite(suite) {
  const heading = `\n== Python tests: ${suite.name}${suite.python && suite.python !== 'python3' ? ` (${suite.python})` : ''}`
  if (suite.python === undefined) {
    console.log(
      `${heading}\nFAILED: Django is not installed for python3 or /usr/bin/python3. Install it: sudo apt-get install -y python3-django`,
    )
    return Promise.resolve(false)
  }
  return new Promise((resolve) => {
    const child = spawn(suite.python, suite.args, {
      cwd: suite.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    })
    const output = []
    child.stdout.on('data', (chunk) => output.push(chunk))
    child.stderr.on('data', (chunk) => output.push(chunk))
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)))
    child.on('close', (code) => {
      console.log(heading)
      process.stdout.write(Buffer.concat(output))
      resolve(code === 0)
    })
  })
}

const pending = [...suites]
const results = []
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (pending.length > 0) results.push(await runSuite(pending.shift()))
  }),
)
process.exit(results.every(Boolean) ? 0 : 1)
