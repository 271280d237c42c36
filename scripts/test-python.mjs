// Runs every Python suite (stdlib unittest only): the code that runs inside Modal (the module, the processor
// runtime, the reference processor), the code that runs on the runner (the Modal session, the local adapter), and
// the emulator.
import { spawnSync } from 'node:child_process'

const suites = [
  { name: 'modal/ and processors/', cwd: 'modal', args: ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'] },
  { name: 'runner/', cwd: 'runner', args: ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'] },
  { name: 'testing/emulator/', cwd: 'testing/emulator', args: ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'] },
]

let failed = false
for (const suite of suites) {
  console.log(`\n== Python tests: ${suite.name}`)
  const result = spawnSync('python3', suite.args, {
    cwd: suite.cwd,
    stdio: 'inherit',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  })
  if (result.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
