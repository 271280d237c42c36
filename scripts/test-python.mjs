// Runs every Python suite (stdlib unittest only): the Modal module and processor, and the emulator.
import { spawnSync } from 'node:child_process'

const suites = [
  { name: 'modal/ and processors/', cwd: 'modal', args: ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'] },
  { name: 'emulator/', cwd: '.', args: ['-m', 'unittest', 'discover', '-s', 'emulator/tests', '-t', 'emulator'] },
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
