// The file boundary through the bundles, as the runner and a terminal run them: the action refuses a catalogue that
// is a FIFO or a device and a report-file that leads out of the workspace or onto the catalogue, before anything
// changes; the CLI never waits on a FIFO, and Ctrl-C or SIGTERM ends it while it reads.
import { spawn } from 'node:child_process'
import { linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runReportFile } from '../../src/rules/run-report-file.js'
import { emptyReport } from '../../src/rules/run-report.js'
import { fifoIn, notRegularFiles, tempFolders } from '../support/special-files.js'
import { ACTION_DIR } from './action-under-test.js'
import { errorMessage, errorTitles, expectFailure, World } from './world.js'

const CLI = path.join(ACTION_DIR, 'dist', 'cli.cjs')
const folders = tempFolders()

/** A workspace, and beside it a file that no run may write over. */
function workspaceAndOutside() {
  const base = folders.make('e2e-files-')
  const workspace = path.join(base, 'workspace')
  mkdirSync(workspace)
  writeFileSync(path.join(base, 'precious.json'), 'precious')
  return { base, workspace }
}

describe('the action', () => {
  test('a catalogue that is a FIFO or a device, a report-file out of the workspace or onto the catalogue: inputs refused, nothing written', async () => {
    const { base, workspace } = workspaceAndOutside()
    fifoIn(workspace, 'modal-processors.json')
    symlinkSync(base, path.join(workspace, 'reports'))
    writeFileSync(path.join(workspace, 'catalogue.json'), '{"processors": {}}')
    symlinkSync(workspace, path.join(workspace, 'here'))
    const world = new World({ prepare: false })
    const cases = [
      { 'catalogue-file': 'modal-processors.json', 'report-file': 'reports/precious.json', catalogue: 'is a FIFO (named pipe)' },
      { 'catalogue-file': '/dev/zero', 'report-file': '../precious.json', catalogue: 'is a character device' },
      { 'catalogue-file': 'catalogue.json', 'report-file': 'here/catalogue.json', report: 'is the processor catalogue' },
    ]
    for (const { catalogue, report, ...inputs } of cases) {
      const run = await world.run(inputs, { GITHUB_WORKSPACE: workspace })
      if (catalogue) {
        expectFailure(run, ['ERR_INVALID_REGISTRY', 'ERR_INVALID_INPUT'], 'inputs')
        expect(errorMessage(run)).toContain(`The processor catalogue '${inputs['catalogue-file']}' ${catalogue}, not a regular file`)
        expect(errorMessage(run, 1)).toContain(`report-file '${inputs['report-file']}' is outside the workspace`)
      } else {
        expectFailure(run, ['ERR_INVALID_INPUT'], 'inputs')
        expect(errorMessage(run)).toContain(`report-file '${inputs['report-file']}' ${report}`)
      }
    }
    expect(readFileSync(path.join(base, 'precious.json'), 'utf8')).toBe('precious')
    expect(readFileSync(path.join(workspace, 'catalogue.json'), 'utf8')).toBe('{"processors": {}}')
    expect(world.versions()).toEqual([])
  })
})

describe('the action: report-file through a hard link', () => {
  test('a hard link to the catalogue made by the module at import is not written; one to a file outside is replaced, not written through', async () => {
    const { base, workspace } = workspaceAndOutside()
    const catalogue = path.join(workspace, 'cat.json')
    writeFileSync(catalogue, '{"processors": {}}')
    mkdirSync(path.join(workspace, 'reports'))
    const world = new World()
    const linking = world.moduleRunningAtImport([
      `os.link(${JSON.stringify(catalogue)}, ${JSON.stringify(path.join(workspace, 'reports', 'cat-link.json'))})`,
    ])
    const inputs = { 'catalogue-file': 'cat.json', 'image-visibility': 'public' }
    const linked = await world.run(
      { ...inputs, 'report-file': 'reports/cat-link.json', 'modal-module-dir': linking },
      { GITHUB_WORKSPACE: workspace },
    )
    expect(errorTitles(linked)).toEqual([])
    expect(linked.annotations.find((a) => a.title === 'Report file not written')?.message).toMatch(
      /reports\/cat-link\.json is the processor catalogue \(catalogue-file\)$/,
    )
    expect(readFileSync(catalogue, 'utf8')).toBe('{"processors": {}}')

    linkSync(path.join(base, 'precious.json'), path.join(workspace, 'reports', 'run.json'))
    const replaced = await world.run({ 'catalogue-file': 'cat.json', 'report-file': 'reports/run.json' }, { GITHUB_WORKSPACE: workspace })
    expect(errorTitles(replaced)).toEqual([])
    expect(JSON.parse(readFileSync(path.join(workspace, 'reports', 'run.json'), 'utf8'))).toMatchObject({
      ok: true,
      processorRef: 'llm/litellm@1',
    })
    expect(readFileSync(path.join(base, 'precious.json'), 'utf8')).toBe('precious')
  })
})

interface CliRun {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI bundle; `whenReading(file, pid)` is called once the process has `file` open. A run that outlives 30 s
 * is a hang: it is killed and the test fails. */
function cli(args: string[], cwd: string, whenReading?: { file: string; then: (pid: number) => void }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    const hang = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`modal-processor ${args.slice(0, 3).join(' ')} hung`))
    }, 30_000)
    const watch = whenReading && setInterval(() => opened(child.pid!, whenReading.file) && stop(() => whenReading.then(child.pid!)), 2)
    const stop = (then: () => void) => {
      clearInterval(watch)
      then()
    }
    child.on('close', (status) => {
      clearTimeout(hang)
      clearInterval(watch)
      resolve({ status, stdout, stderr })
    })
  })
}

/** Whether process `pid` has `file` open now. */
function opened(pid: number, file: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === file
      } catch {
        return false
      }
    })
  } catch {
    return false
  }
}

describe('the CLI', () => {
  test('fleet-report never waits on a FIFO, a socket, a device or a folder, as inputs or as --matrix', async () => {
    const dir = folders.make('e2e-cli-files-')
    const special = Object.values(await notRegularFiles(dir, folders))
    const reports = await cli(['fleet-report', ...special], dir)
    expect(reports.status).toBe(1)
    expect(reports.stdout).toContain('❌ 0 of 4 processor(s) passed; 4 unreadable.')
    expect(reports.stdout).toContain('fifo: is a FIFO (named pipe), not a regular file')
    for (const file of special) {
      const plan = await cli(['fleet-report', '--matrix', file], dir)
      expect({ file, status: plan.status }).toEqual({ file, status: 2 })
      expect(plan.stderr).toMatch(/, not a regular file\. Give the output of modal-processor matrix/)
    }
  })

  test.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s ends fleet-report while it reads its files, with a cancelled message', async (signal, code) => {
    const dir = folders.make('e2e-cli-signal-')
    // A report padded to just under the bound, named thousands of times: reading them takes seconds.
    const report = JSON.stringify(runReportFile(emptyReport()))
    const file = path.join(dir, 'r.json')
    writeFileSync(file, report + ' '.repeat(1024 * 1024 - report.length - 1))
    const run = await cli(['fleet-report', ...Array<string>(4000).fill('r.json')], dir, {
      file,
      then: (pid) => process.kill(pid, signal),
    })
    expect(run.status).toBe(code)
    expect(run.stderr).toBe(`modal-processor: cancelled by ${signal}.\n`)
    expect(run.stdout).toBe('')
  })
})
