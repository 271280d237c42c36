// The CLI's files at the file boundary, in process: fleet-report's inputs and --matrix, the catalogue of run and
// matrix, deploy --report-file, and a catalogue's local_command.
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runCli } from '../support/cli-in-process.js'
import { FakeModal } from '../support/fake-modal.js'
import { notRegularFiles, tempFolders } from '../support/special-files.js'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`
const folders = tempFolders()

/** A folder holding every kind of file that is not a regular one, by name, as paths relative to it. */
async function specialFolder() {
  const dir = folders.make('cli-files-')
  const special = await notRegularFiles(dir, folders)
  return { dir, special: Object.entries(special).map(([name, file]) => [name, path.relative(dir, file)] as const) }
}

const KINDS: Record<string, string> = {
  FIFO: 'is a FIFO (named pipe), not a regular file',
  socket: 'is a socket, not a regular file',
  device: 'is a character device, not a regular file',
  folder: 'is a folder, not a regular file',
}

describe('fleet-report', () => {
  test('an input that is a FIFO, a socket, a device or a folder is its own unreadable row, at once', async () => {
    const { dir, special } = await specialFolder()
    const run = await runCli(['fleet-report', ...special.map(([, file]) => file)], { cwd: dir })
    expect(run.status).toBe(1)
    for (const [name, file] of special) expect(run.stdout).toContain(`${file}: ${KINDS[name]}`)
    expect(run.stdout).toContain('❌ 0 of 4 processor(s) passed; 4 unreadable.')
  })

  test('--matrix FILE that is a FIFO, a socket, a device or a folder is a usage error naming it', async () => {
    const { dir, special } = await specialFolder()
    for (const [name, file] of special) {
      const run = await runCli(['fleet-report', '--matrix', file], { cwd: dir })
      expect({ name, status: run.status }).toEqual({ name, status: 2 })
      expect(run.stderr).toContain(`--matrix is neither the plan's JSON nor a file that can be read: '${file}' ${KINDS[name]}.`)
    }
  })
})

describe('the catalogue of run and matrix', () => {
  test('--catalogue that is a FIFO, a socket, a device or a folder is ERR_INVALID_REGISTRY, at once', async () => {
    const { dir, special } = await specialFolder()
    for (const [name, file] of special) {
      for (const argv of [
        ['run', '--ref', 'llm/litellm@1', '--adapter', 'local', '--catalogue', file],
        ['matrix', '--catalogue', file],
      ]) {
        const run = await runCli(argv, { cwd: dir })
        // A plan that cannot be made exits 2.
        const failure = argv[0] === 'matrix' ? 2 : 1
        expect({ name, command: argv[0], status: run.status }).toEqual({ name, command: argv[0], status: failure })
        expect(run.stderr).toContain(
          `ERR_INVALID_REGISTRY: The processor catalogue '${file}' ${KINDS[name]} (looked in ${path.join(dir, file)})`,
        )
      }
    }
  })
})

describe('a file that is not JSON is never quoted', () => {
  test('an environment file as --catalogue, --matrix, a report or --inputs-json: its place only, no byte of it', async () => {
    const dir = folders.make('cli-environ-')
    const environ = 'PATH=/work/bin\u0000GH_TOKEN=ghs_planted_value_1234\u0000'
    writeFileSync(path.join(dir, 'environ'), environ)
    const runs = [
      await runCli(['matrix', '--catalogue', 'environ'], { cwd: dir }),
      await runCli(['fleet-report', '--matrix', 'environ'], { cwd: dir }),
      await runCli(['fleet-report', 'environ'], { cwd: dir }),
      await runCli(['run', '--ref', 'llm/litellm@1', '--adapter', 'local', '--inputs-json', `{"params": ${environ}}`], { cwd: dir }),
    ]
    for (const run of runs) {
      expect(run.stdout + run.stderr).toMatch(/unexpected character at line 1, column (1|12)\b/)
      expect(run.stdout + run.stderr).not.toMatch(/PATH|ghs_planted/)
    }
  })
})

describe('local_command stays inside the catalogue’s folder', () => {
  function repoWith(localCommand: string) {
    const base = folders.make('local-command-')
    const repo = path.join(base, 'repo')
    mkdirSync(path.join(repo, 'bin'), { recursive: true })
    writeFileSync(path.join(base, 'evil'), '#!/bin/sh\necho pwned > "$(dirname "$0")/ran"\n')
    chmodSync(path.join(base, 'evil'), 0o755)
    symlinkSync(path.join(base, 'evil'), path.join(repo, 'bin', 'processor-link'))
    symlinkSync(base, path.join(repo, 'up'))
    writeFileSync(
      path.join(repo, 'modal-processors.json'),
      JSON.stringify({ processors: { 'llm/litellm@1': { image: { oci: IMAGE }, local_command: localCommand } } }),
    )
    return { base, repo }
  }

  test.each([
    ['absolute', (base: string) => path.join(base, 'evil'), 'is an absolute path'],
    ['../', () => '../evil', 'leads outside'],
    ['a symlinked file out', () => 'bin/processor-link', 'leads outside'],
    ['a symlinked folder out', () => 'up/evil', 'leads outside'],
  ])('%s is refused with ERR_INVALID_REGISTRY before anything runs', async (_, command, why) => {
    const { base, repo } = repoWith('placeholder')
    const given = command(base)
    writeFileSync(
      path.join(repo, 'modal-processors.json'),
      JSON.stringify({ processors: { 'llm/litellm@1': { image: { oci: IMAGE }, local_command: given } } }),
    )
    const run = await runCli(['run', '--ref', 'llm/litellm@1', '--adapter', 'local'], { cwd: repo })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(`ERR_INVALID_REGISTRY: modal-processors.json: processors["llm/litellm@1"].local_command '${given}' ${why}`)
    expect(run.stderr).toContain('a path relative to the catalogue')
    expect(() => readFileSync(path.join(base, 'ran'))).toThrow()
  })
})

describe('deploy --report-file', () => {
  test('through a symlinked folder, onto a symlink or onto a FIFO: refused before Modal is asked anything', async () => {
    const base = folders.make('cli-report-')
    const workspace = path.join(base, 'workspace')
    mkdirSync(workspace)
    symlinkSync(base, path.join(workspace, 'reports'))
    writeFileSync(path.join(base, 'x.json'), 'precious')
    symlinkSync(path.join(base, 'x.json'), path.join(workspace, 'x.json'))
    symlinkSync(path.join(base, 'later.json'), path.join(workspace, 'dangling.json'))
    const { FIFO } = await notRegularFiles(workspace, folders)
    for (const [file, why] of [
      ['reports/run.json', 'is outside the workspace'],
      ['x.json', 'is outside the workspace'],
      ['dangling.json', 'is a symbolic link that leads nowhere'],
      [path.basename(FIFO), KINDS.FIFO],
    ]) {
      const modal = new FakeModal()
      const run = await runCli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--image-ref', IMAGE, '--report-file', file], {
        cwd: workspace,
        env: { GITHUB_WORKSPACE: workspace },
        modal,
      })
      expect({ file, status: run.status }).toEqual({ file, status: 1 })
      expect(run.stderr).toContain(`ERR_INVALID_INPUT: report-file '${file}' ${why}`)
      expect(modal.sessionsStarted).toBe(0)
    }
    expect(readFileSync(path.join(base, 'x.json'), 'utf8')).toBe('precious')
  })
})
