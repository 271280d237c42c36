// Runs every Python suite (stdlib unittest only): the code that runs inside Modal (the module, the processor
// runtime, the reference processor), the code that runs on the runner (the Modal session, the local adapter), the
// emulator, and the Django management commands.
import { spawnSync } from 'node:child_process'

const importsDjango = (python) => spawnSync(python, ['-c', 'import django'], { stdio: 'ignore' }).status === 0
// Django comes from Debian's python3-django, installed for the system interpreter, which need not be the python3 on
// PATH (pyenv, actions/setup-python).
const djangoPython = ['python3', '/usr/bin/python3'].find(importsDjango)

const discover = ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.']
const suites = [
  { name: 'modal/ and processors/', cwd: 'modal', python: 'python3', args: discover },
  { name: 'runner/', cwd: 'runner', python: 'python3', args: discover },
  { name: 'testing/emulator/', cwd: 'testing/emulator', python: 'python3', args: discover },
  { name: 'integrations/django/', cwd: 'integrations/django', python: djangoPython, args: discover },
]

let failed = false
for (const suite of suites) {
  console.log(`\n== Python tests: ${suite.name}${suite.python && suite.python !== 'python3' ? ` (${suite.python})` : ''}`)
  if (suite.python === undefined) {
    console.log('FAILED: Django is not installed for python3 or /usr/bin/python3. Install it: sudo apt-get install -y python3-django')
    failed = true
    continue
  }
  const result = spawnSync(suite.python, suite.args, {
    cwd: suite.cwd,
    stdio: 'inherit',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  })
  if (result.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
