// The CLI's input grammar, in process, by class: refs named like members of every JavaScript object in each command
// that looks a ref up, catalogues whose keys repeat, and where --module-dir points.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { emptyReport } from '../../src/rules/run-report.js'
import { runReportFile } from '../../src/rules/run-report-file.js'
import { runCli } from '../support/cli-in-process.js'
import { OBJECT_MEMBERS } from '../support/object-members.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

const image = (name: string) => `ghcr.io/acme/${name}:1@sha256:${'ab'.repeat(32)}`
const ENTRY = { image: { oci: image('llm') }, local_command: 'processors/llm/bin/processor' }

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
  })
}

/** A repository whose catalogue has this text, committed with a Modal module folder and a processor folder. */
function repository(catalogue: string): string {
  const root = scratchDir('grammar-repo-')
  git(root, 'init', '-q')
  for (const [file, text] of [
    ['modal-processors.json', catalogue],
    ['modal/modal_app.py', '# module\n'],
    ['deploy/modal/modal_app.py', '# module\n'],
    ['processors/llm/bin/processor', '#!/bin/sh\n'],
  ]) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), text)
  }
  git(root, 'add', '.')
  git(root, 'commit', '-qm', 'base')
  return root
}

const ordinary = () => repository(JSON.stringify({ processors: { 'llm/litellm@1': ENTRY } }))

describe('refs named like members of every JavaScript object are unknown refs in every command', () => {
  test.each(OBJECT_MEMBERS)('%s', async (ref) => {
    const root = ordinary()
    const run = await runCli(['run', '--ref', ref, '--adapter', 'local'], { cwd: root })
    // Not a ref at all: reported as invalid, and nothing else (no catalogue is looked up for it).
    expect([run.status, run.stderr]).toEqual([1, expect.stringContaining('ERR_INVALID_PROCESSOR_REF')])
    expect(run.stderr).not.toContain('ERR_REGISTRY_ENTRY_MISSING')
    const deploy = await runCli(['deploy', '--ref', ref, '--env', 'dev'], { cwd: root, env: { GITHUB_WORKSPACE: root } })
    expect(deploy.status).toBe(1)
    expect(deploy.stderr).toContain('ERR_INVALID_PROCESSOR_REF')
    expect(deploy.stderr).not.toContain('ERR_UNEXPECTED')
    expect(deploy.modal.sessionsStarted).toBe(0)
    const logs = await runCli(['logs', '--ref', ref, '--env', 'dev'], { cwd: root })
    expect([logs.status, logs.stderr]).toEqual([1, expect.stringContaining('ERR_INVALID_PROCESSOR_REF')])
    const only = await runCli(['matrix', '--only', `${ref},llm/litellm@1`], { cwd: root })
    expect([only.status, only.stdout]).toEqual([2, ''])
    expect(only.stderr).toContain(`--only names '${ref}', not in modal-processors.json`)
  })

  test('a catalogue that names them is compared with a base that does not: a naming error, never a crash', async () => {
    const root = ordinary()
    const members = Object.fromEntries(OBJECT_MEMBERS.filter((ref) => ref !== '__proto__').map((ref) => [ref, ENTRY]))
    writeFileSync(path.join(root, 'modal-processors.json'), JSON.stringify({ processors: { 'llm/litellm@1': ENTRY, ...members } }))
    const run = await runCli(['matrix', '--changed-since', 'HEAD'], { cwd: root })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('ERR_INVALID_REGISTRY: modal-processors.json: processors.constructor: Invalid processor ref')
    expect(run.stderr).toContain('processors.hasOwnProperty: Invalid processor ref')
  })

  test('fleet-report reads reports and a plan that name them as plain rows', async () => {
    const dir = scratchDir('grammar-reports-')
    const files = OBJECT_MEMBERS.map((ref, i) => {
      writeFileSync(
        path.join(dir, `${i}.json`),
        JSON.stringify(runReportFile({ ...emptyReport(), processorRef: ref, smokeStatus: 'passed' })),
      )
      return `${i}.json`
    })
    const plan = JSON.stringify({
      include: ['constructor', 'toString', 'valueOf'].map((ref) => ({
        'processor-ref': ref,
        'app-name': ref,
        'image-ref': '',
        'tool-secrets': '',
      })),
    })
    const run = await runCli(['fleet-report', '--json', '--matrix', plan, ...files], { cwd: dir })
    const rows = (JSON.parse(run.stdout) as { processors: { processorRef: string; status: string }[] }).processors
    expect(rows.map((row) => [row.processorRef, row.status])).toEqual(
      [...OBJECT_MEMBERS]
        .sort((a, b) => a.localeCompare(b))
        .map((ref) => [ref, ['constructor', 'toString', 'valueOf'].includes(ref) ? 'passed' : 'not planned']),
    )
  })
})

describe('a catalogue with a repeated or __proto__ key', () => {
  test.each([
    [
      '{"processors": {"a/b@1": {"image": {"oci": "x"}}, "a/b@1": {"image": {"oci": "y"}}}}',
      'processors.a/b@1',
      'this key appears more than once',
    ],
    ['{"processors": {}, "\\u0070rocessors": {}}', 'processors', 'this key appears more than once'],
    ['{"processors": {"__proto__": {"image": {"oci": "x"}}}}', 'processors.__proto__', 'the key __proto__ is not allowed'],
  ])('%s: matrix and run refuse it (ERR_INVALID_REGISTRY), naming the key', async (text, where, why) => {
    const root = repository(text)
    const matrix = await runCli(['matrix'], { cwd: root })
    expect([matrix.status, matrix.stdout]).toEqual([2, ''])
    expect(matrix.stderr).toMatch(new RegExp(`^ERR_INVALID_REGISTRY: modal-processors\\.json: ${where.replace(/[./@]/g, '\\$&')}: ${why}`))
    const run = await runCli(['run', '--ref', 'a/b@1', '--adapter', 'local'], { cwd: root })
    expect([run.status, run.stderr]).toEqual([1, expect.stringContaining(`ERR_INVALID_REGISTRY: modal-processors.json: ${where}: `)])
  })
})

describe('matrix --module-dir', () => {
  const planned = (stdout: string) => (JSON.parse(stdout) as { include: unknown[] }).include.length

  test('is relative to the repository root, from any folder of it', async () => {
    const root = ordinary()
    writeFileSync(path.join(root, 'deploy/modal/modal_app.py'), '# module v2\n')
    mkdirSync(path.join(root, 'sub'))
    const run = await runCli(
      ['matrix', '--catalogue', '../modal-processors.json', '--changed-since', 'HEAD', '--module-dir', 'deploy/modal'],
      {
        cwd: path.join(root, 'sub'),
      },
    )
    expect(run.status).toBe(0)
    expect(planned(run.stdout)).toBe(1)
    expect(run.stderr).toContain('Planned 1 of 1 processor (1 the Modal module changed (deploy/modal/)).')
    // The default, modal/, is the root's too.
    writeFileSync(path.join(root, 'modal/modal_app.py'), '# module v2\n')
    const byDefault = await runCli(['matrix', '--catalogue', '../modal-processors.json', '--changed-since', 'HEAD'], {
      cwd: path.join(root, 'sub'),
    })
    expect(byDefault.stderr).toContain('the Modal module changed (modal/)')
  })

  test.each([
    ['a folder that does not exist', 'deploy/modul', 'is not a folder'],
    ['a file', 'deploy/modal/modal_app.py', 'is not a folder'],
    ['a folder outside the repository', os.tmpdir(), 'is outside the repository'],
  ])('%s exits 2 with a message, with or without a base to compare with', async (_, dir, message) => {
    const root = ordinary()
    for (const args of [['--changed-since', 'HEAD'], ['--changed-since', '0'.repeat(40)], []]) {
      const run = await runCli(['matrix', ...args, '--module-dir', dir], { cwd: root })
      expect([run.status, run.stdout]).toEqual([2, ''])
      expect(run.stderr).toContain(`--module-dir '${dir}' ${message}`)
    }
  })
})
