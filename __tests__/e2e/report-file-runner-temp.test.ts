// report-file under the runner's temporary folder, through the bundled action as the runner runs it: written there,
// and a path out of both the workspace and RUNNER_TEMP still refused before anything changes.
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { tempFolders } from '../support/special-files.js'
import { errorMessage, expectFailure, World } from './world.js'

const folders = tempFolders()

describe('the action: report-file under RUNNER_TEMP', () => {
  test('is written there; a place outside the workspace and RUNNER_TEMP is refused', async () => {
    const base = folders.make('e2e-runner-temp-')
    const runnerTemp = path.join(base, 'runner-temp')
    mkdirSync(runnerTemp)
    const world = new World()
    const written = await world.run(
      { 'dry-run': 'true', 'report-file': path.join(runnerTemp, 'reports', 'run.json') },
      { RUNNER_TEMP: runnerTemp },
    )
    expect(written.exitCode).toBe(0)
    expect(JSON.parse(readFileSync(path.join(runnerTemp, 'reports', 'run.json'), 'utf8'))).toMatchObject({ ok: true, dryRun: true })
    const outside = path.join(base, 'elsewhere.json')
    const refused = await world.run({ 'dry-run': 'true', 'report-file': outside }, { RUNNER_TEMP: runnerTemp })
    expectFailure(refused, ['ERR_INVALID_INPUT'], 'inputs')
    expect(errorMessage(refused)).toContain(`report-file '${outside}' is outside the workspace and RUNNER_TEMP`)
  })
})
