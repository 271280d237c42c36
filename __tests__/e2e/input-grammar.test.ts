// The input grammar, end to end: the bundled action as the runner runs it and the bundled CLI, given refs named like
// members of every JavaScript object, a catalogue whose keys repeat, and a tool secret named like a runtime variable.
// Each is refused with its own code before anything changes; none is ERR_UNEXPECTED.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { ACTION_DIR } from './action-under-test.js'
import { errorMessage, expectFailure, REPO_ROOT, World } from './world.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

const CATALOGUE = path.join(REPO_ROOT, 'modal-processors.json')

function cli(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(ACTION_DIR, 'dist', 'cli.cjs'), ...args], { cwd, encoding: 'utf8' })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** A folder holding modal-processors.json with this exact text (and its absolute path). */
function catalogueFolder(text: string): { dir: string; file: string } {
  const dir = scratchDir('grammar-e2e-')
  writeFileSync(path.join(dir, 'modal-processors.json'), text)
  return { dir, file: path.join(dir, 'modal-processors.json') }
}

const entry = (imageRef: string) => `{"image": {"oci": "${imageRef}"}, "tool_secrets": ["OPENAI_API_KEY"]}`

describe('the bundled action', () => {
  test.each(['constructor', '__proto__'])('processor-ref %s is an invalid ref and only that, refused in the inputs phase', async (ref) => {
    const world = new World({ prepare: false })
    const run = await world.run({ 'processor-ref': ref, 'image-ref': '', 'catalogue-file': CATALOGUE })
    expectFailure(run, ['ERR_INVALID_PROCESSOR_REF'], 'inputs')
    expect(errorMessage(run)).toContain(`Invalid processor ref '${ref}'`)
    expect(world.versions()).toEqual([])
  })

  test('a catalogue with a ref given twice is refused, naming the file and the key; nothing is deployed', async () => {
    const world = new World({ prepare: false })
    const { file } = catalogueFolder(
      `{"processors": {"llm/litellm@1": ${entry(world.imageRef)}, "llm/litellm@1": ${entry(world.imageRef)}}}`,
    )
    const run = await world.run({ 'image-ref': '', 'catalogue-file': file })
    expectFailure(run, ['ERR_INVALID_REGISTRY'], 'inputs')
    expect(errorMessage(run)).toContain(`${file}: processors.llm/litellm@1: this key appears more than once in its object`)
    expect(world.versions()).toEqual([])
  })

  test('a tool secret named like a runtime variable is refused with why and what to do', async () => {
    const world = new World({ prepare: false })
    const run = await world.run({ 'tool-secrets': 'OPENAI_API_KEY\nLD_PRELOAD' })
    expectFailure(run, ['ERR_INVALID_TOOL_SECRETS'], 'inputs')
    expect(errorMessage(run)).toContain('tool-secrets lists LD_PRELOAD, a variable the runtime owns')
    expect(world.versions()).toEqual([])
  })
})

describe('the bundled CLI', () => {
  test.each(['constructor', '__proto__'])('--ref %s is an invalid ref to run and deploy, an unknown one to matrix --only', (ref) => {
    const run = cli(REPO_ROOT, 'run', '--ref', ref, '--adapter', 'local')
    expect([run.status, run.stderr]).toEqual([1, expect.stringContaining('ERR_INVALID_PROCESSOR_REF')])
    const deploy = cli(REPO_ROOT, 'deploy', '--ref', ref, '--env', 'dev', '--dry-run')
    expect(deploy.status).toBe(1)
    expect(deploy.stderr).toContain('ERR_INVALID_PROCESSOR_REF')
    expect(deploy.stderr).not.toContain('ERR_REGISTRY_ENTRY_MISSING')
    expect(deploy.stderr).not.toContain('ERR_UNEXPECTED')
    const only = cli(REPO_ROOT, 'matrix', '--only', ref)
    expect([only.status, only.stdout]).toEqual([2, ''])
    expect(only.stderr).toContain(`--only names '${ref}', not in modal-processors.json`)
  })

  test('a catalogue with a repeated field or a __proto__ key: matrix exits 2 naming the key', () => {
    const image = `ghcr.io/acme/x:1@sha256:${'a'.repeat(64)}`
    const repeated = catalogueFolder(`{"processors": {"a/b@1": {"image": {"oci": "${image}", "oci": "${image}"}}}}`)
    const run = cli(repeated.dir, 'matrix')
    expect([run.status, run.stdout]).toEqual([2, ''])
    expect(run.stderr).toContain('ERR_INVALID_REGISTRY: modal-processors.json: processors.a/b@1.image.oci: this key appears more than once')
    const proto = catalogueFolder(`{"processors": {"a/b@1": {"image": {"oci": "${image}"}}, "__proto__": {}}}`)
    expect(cli(proto.dir, 'matrix').stderr).toContain('modal-processors.json: processors.__proto__: the key __proto__ is not allowed')
  })
})
