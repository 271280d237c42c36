// The action's files at the file boundary, in process: the report-file and the processor catalogue, as a user (or a
// pull request that changes the repository) can point them: through symlinks, at FIFOs, sockets, devices and folders.
import { linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { FakeModal } from '../support/fake-modal.js'
import { errorTitles, recordingToolkit } from '../support/recording-toolkit.js'
import { notRegularFiles, tempFolders } from '../support/special-files.js'
import { runAction } from '../../src/flow/run-action.js'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`
const BASE = { 'processor-ref': 'llm/litellm@1', 'image-ref': IMAGE, 'modal-environment': 'dev', 'tool-secrets': 'OPENAI_API_KEY' }
const folders = tempFolders()

async function run(modal: FakeModal, inputs: Record<string, string>, workspace: string, env: NodeJS.ProcessEnv = {}) {
  const kit = recordingToolkit({ ...BASE, ...inputs }, { GITHUB_WORKSPACE: workspace, ...env })
  await runAction(kit, { connect: modal.connect })
  const errors = kit.record.annotations.filter((a) => a.level === 'error')
  return { ...kit.record, errors: errorTitles(kit.record), message: errors[0]?.message ?? '' }
}

/** A workspace with a catalogue, and a folder beside it holding a file the action must never write over. */
function workspaceAndOutside() {
  const base = folders.make('workspace-')
  const workspace = path.join(base, 'workspace')
  const outside = path.join(base, 'outside')
  mkdirSync(workspace)
  mkdirSync(outside)
  writeFileSync(path.join(outside, 'precious.json'), 'precious')
  writeFileSync(path.join(workspace, 'modal-processors.json'), JSON.stringify({ processors: {} }))
  return { workspace, outside }
}

describe('report-file: symlinks', () => {
  test('a symlinked folder or file out of the workspace, a symlink in it, the catalogue by another name: refused, nothing changes', async () => {
    const { workspace, outside } = workspaceAndOutside()
    symlinkSync(outside, path.join(workspace, 'reports'))
    symlinkSync(path.join(outside, 'precious.json'), path.join(workspace, 'out.json'))
    symlinkSync(path.join(workspace, 'modal-processors.json'), path.join(workspace, 'catalogue-link.json'))
    symlinkSync(workspace, path.join(workspace, 'here'))
    linkSync(path.join(workspace, 'modal-processors.json'), path.join(workspace, 'catalogue-hard-link.json'))
    const before = readdirSync(workspace).sort()
    const cases: [string, string][] = [
      ['reports/run.json', 'is outside the workspace'],
      ['out.json', 'is outside the workspace'],
      ['catalogue-link.json', 'is a symbolic link'],
      ['here/modal-processors.json', 'is the processor catalogue (catalogue-file)'],
      ['catalogue-hard-link.json', 'is the processor catalogue (catalogue-file)'],
    ]
    for (const [file, why] of cases) {
      const modal = new FakeModal()
      const result = await run(modal, { 'report-file': file }, workspace)
      expect({ file, errors: result.errors }).toEqual({ file, errors: ['ERR_INVALID_INPUT'] })
      expect(result.message).toContain(`report-file '${file}' ${why}`)
      expect(result.message).toContain('give the path of a file inside the workspace')
      expect(modal.sessionsStarted).toBe(0)
    }
    expect(readFileSync(path.join(outside, 'precious.json'), 'utf8')).toBe('precious')
    expect(readdirSync(outside)).toEqual(['precious.json'])
    expect(readFileSync(path.join(workspace, 'modal-processors.json'), 'utf8')).toBe('{"processors":{}}')
    expect(readdirSync(workspace).sort()).toEqual(before)
  })

  test('a symlink put in its place while the step runs (by the module, say) is not written through', async () => {
    const { workspace, outside } = workspaceAndOutside()
    const modal = new FakeModal()
    modal.answerCall = () => {
      symlinkSync(path.join(outside, 'precious.json'), path.join(workspace, 'run.json'))
      return { ok: true, schema: 'v1', processor: 'llm/litellm@1', mode: 'mock', output: { text: 'hi' }, duration_ms: 1 }
    }
    const result = await run(modal, { 'report-file': 'run.json' }, workspace)
    expect(result.errors).toEqual([])
    expect(result.annotations.find((a) => a.title === 'Report file not written')?.message).toMatch(
      /workspace\/run\.json leads outside .*precious\.json\)$/,
    )
    expect(readFileSync(path.join(outside, 'precious.json'), 'utf8')).toBe('precious')
  })
})

describe('report-file: under RUNNER_TEMP', () => {
  test('written there by the same rules as in the workspace; a symlink out of it, or a place outside both, refused', async () => {
    const { workspace, outside } = workspaceAndOutside()
    const runnerTemp = path.join(path.dirname(workspace), 'runner-temp')
    mkdirSync(runnerTemp)
    const env = { RUNNER_TEMP: runnerTemp }
    const written = await run(new FakeModal(), { 'report-file': path.join(runnerTemp, 'reports', 'run.json') }, workspace, env)
    expect(written.errors).toEqual([])
    expect(JSON.parse(readFileSync(path.join(runnerTemp, 'reports', 'run.json'), 'utf8'))).toMatchObject({ ok: true })
    symlinkSync(outside, path.join(runnerTemp, 'out'))
    symlinkSync(path.join(outside, 'precious.json'), path.join(runnerTemp, 'precious.json'))
    symlinkSync(path.join(runnerTemp, 'reports', 'run.json'), path.join(runnerTemp, 'link.json'))
    const cases: [string, string][] = [
      [path.join(runnerTemp, 'out', 'run.json'), 'is outside the workspace and RUNNER_TEMP'],
      [path.join(runnerTemp, 'precious.json'), 'is outside the workspace and RUNNER_TEMP'],
      [path.join(runnerTemp, 'link.json'), 'is a symbolic link'],
      [path.join(outside, 'run.json'), 'is outside the workspace and RUNNER_TEMP'],
    ]
    for (const [file, why] of cases) {
      const modal = new FakeModal()
      const result = await run(modal, { 'report-file': file }, workspace, env)
      expect({ file, errors: result.errors }).toEqual({ file, errors: ['ERR_INVALID_INPUT'] })
      expect(result.message).toContain(`report-file '${file}' ${why}`)
      expect(result.message).toContain('(or under RUNNER_TEMP)')
      expect(modal.sessionsStarted).toBe(0)
    }
    // Without RUNNER_TEMP the runner's folder is just another place outside the workspace.
    const without = await run(new FakeModal(), { 'report-file': path.join(runnerTemp, 'run2.json') }, workspace)
    expect(without.message).toContain('is outside the workspace; give the path of a file inside the workspace such as reports/run.json.')
    expect(readdirSync(outside)).toEqual(['precious.json'])
    expect(readFileSync(path.join(outside, 'precious.json'), 'utf8')).toBe('precious')
  })
})

describe('report-file: hard links', () => {
  test('a hard link to the catalogue made while the step runs (also in dry-run): not written, the catalogue keeps its text', async () => {
    for (const dryRun of ['false', 'true']) {
      const { workspace } = workspaceAndOutside()
      const catalogue = path.join(workspace, 'modal-processors.json')
      mkdirSync(path.join(workspace, 'reports'))
      const modal = new FakeModal()
      // The fake session's first request stands for the module's import.
      const connect = modal.connect
      const linking: typeof connect = async (...args) => {
        linkSync(catalogue, path.join(workspace, 'reports', 'run.json'))
        return connect(...args)
      }
      const kit = recordingToolkit(
        { ...BASE, 'catalogue-file': 'modal-processors.json', 'report-file': 'reports/run.json', 'dry-run': dryRun },
        { GITHUB_WORKSPACE: workspace },
      )
      await runAction(kit, { connect: linking })
      expect({ dryRun, warning: kit.record.annotations.find((a) => a.title === 'Report file not written')?.message }).toEqual({
        dryRun,
        warning: expect.stringMatching(/reports\/run\.json is the processor catalogue \(catalogue-file\)$/),
      })
      expect(readFileSync(catalogue, 'utf8')).toBe('{"processors":{}}')
    }
  })

  test('a hard link to a file outside the workspace is replaced by the report, the file outside keeps its text', async () => {
    const { workspace, outside } = workspaceAndOutside()
    linkSync(path.join(outside, 'precious.json'), path.join(workspace, 'run.json'))
    const result = await run(new FakeModal(), { 'report-file': 'run.json' }, workspace)
    expect(result.errors).toEqual([])
    expect(JSON.parse(readFileSync(path.join(workspace, 'run.json'), 'utf8'))).toMatchObject({ processorRef: 'llm/litellm@1' })
    expect(readFileSync(path.join(outside, 'precious.json'), 'utf8')).toBe('precious')
  })
})

describe('report-file: its text', () => {
  test('C1 controls and line separators from the processor are escaped in the JSON, never raw', async () => {
    const { workspace } = workspaceAndOutside()
    const modal = new FakeModal()
    modal.answerCall = () => ({ ok: false, error: { type: 'ProcessorError', message: 'bad\u2028line\u2029para\u0085next\u009b31m' } })
    const result = await run(modal, { 'report-file': 'run.json' }, workspace)
    expect(result.errors).toContain('ERR_SMOKE_FAILED')
    const text = readFileSync(path.join(workspace, 'run.json'), 'utf8')
    expect(text).not.toMatch(/[\u0080-\u009f\u2028\u2029]/)
    expect(text).toMatch(/\\u2028|\\u0085|\\u009b/)
    expect(JSON.parse(text)).toMatchObject({ ok: false })
  })
})

describe('report-file and catalogue-file: only regular files, refused at once', () => {
  test('a FIFO, a socket, a device or a folder as report-file', async () => {
    const { workspace } = workspaceAndOutside()
    const special = await notRegularFiles(workspace, folders)
    for (const [name, file] of Object.entries(special)) {
      // A device cannot be made in a test's folder: /dev is then the workspace.
      const inWorkspace = name === 'device' ? '/dev' : workspace
      const modal = new FakeModal()
      const result = await run(modal, { 'report-file': path.relative(inWorkspace, file) }, inWorkspace)
      expect({ name, errors: result.errors }).toEqual({ name, errors: ['ERR_INVALID_INPUT'] })
      expect(result.message).toMatch(/^report-file '.+' is an? .+, not a regular file; give the path of a file inside the workspace/)
      expect(modal.sessionsStarted).toBe(0)
    }
  })

  test('a FIFO, a socket, a device, a folder or an oversized file as catalogue-file (also through a symlink)', async () => {
    const { workspace } = workspaceAndOutside()
    const special = await notRegularFiles(workspace, folders)
    writeFileSync(path.join(workspace, 'huge.json'), `{"processors": {}}${' '.repeat(1024 * 1024)}`)
    symlinkSync(special.FIFO, path.join(workspace, 'fifo-link.json'))
    const cases: [string, string][] = [
      ['fifo', 'is a FIFO (named pipe), not a regular file'],
      ['fifo-link.json', 'is a FIFO (named pipe), not a regular file'],
      ['socket', 'is a socket, not a regular file'],
      ['/dev/zero', 'is a character device, not a regular file'],
      ['folder', 'is a folder, not a regular file'],
      ['huge.json', 'is larger than 1048576 bytes'],
    ]
    for (const [file, why] of cases) {
      const modal = new FakeModal()
      const result = await run(modal, { 'catalogue-file': file }, workspace)
      expect({ file, errors: result.errors }).toEqual({ file, errors: ['ERR_INVALID_REGISTRY'] })
      expect(result.message).toContain(`The processor catalogue '${file}' ${why} (looked in ${path.resolve(workspace, file)})`)
      expect(modal.sessionsStarted).toBe(0)
    }
  })

  test('a hostile file name is one line in the message', async () => {
    const { workspace } = workspaceAndOutside()
    const result = await run(new FakeModal(), { 'catalogue-file': 'cat\n::error::forged.json' }, workspace)
    expect(result.errors).toEqual(['ERR_INVALID_REGISTRY'])
    expect(result.message).toContain("The processor catalogue 'cat ⏎ ::error::forged.json' does not exist")
    expect(result.message.split('\n')[0]).toContain('forged')
  })
})
