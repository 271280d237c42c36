// --registry, the v1 name of --catalogue: still accepted by every command that reads the catalogue, with a line on
// stderr that says what to use; with --catalogue naming another file it is refused.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { commandHelp } from '../../src/cli/options.js'
import { runCli } from '../support/cli-in-process.js'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`
const NOTICE = '--registry is deprecated, use --catalogue'

function catalogue(): string {
  const file = path.join(scratchDir('cli-alias-'), 'cat.json')
  writeFileSync(file, JSON.stringify({ processors: { 'llm/litellm@1': { image: { oci: IMAGE }, tool_secrets: ['OPENAI_API_KEY'] } } }))
  return file
}

describe('--registry, the deprecated alias of --catalogue', () => {
  test('matrix: the same plan, and the deprecation line on stderr only with --registry', async () => {
    const file = catalogue()
    const current = await runCli(['matrix', '--catalogue', file])
    const alias = await runCli(['matrix', '--registry', file])
    expect(alias.status).toBe(0)
    expect(alias.stdout).toBe(current.stdout)
    expect(JSON.parse(alias.stdout).include).toEqual([expect.objectContaining({ 'processor-ref': 'llm/litellm@1', 'image-ref': IMAGE })])
    expect(alias.stderr.split('\n').filter((line) => line.includes(NOTICE))).toHaveLength(1)
    expect(current.stderr).not.toContain('deprecated')
  })

  test('deploy reads the image from the catalogue --registry names, and says to use --catalogue', async () => {
    const run = await runCli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--registry', catalogue(), '--quiet'])
    expect(run.status).toBe(0)
    expect(run.stderr).toContain(NOTICE)
    expect(run.modal.requests.find((r) => r.label === 'modal deploy')?.args.env).toMatchObject({ IMAGE_REF: IMAGE })
  })

  test('run reads the catalogue once: one deprecation line', async () => {
    const run = await runCli(['run', '--ref', 'llm/litellm@1', '--adapter', 'local', '--registry', catalogue()])
    expect(run.stderr).toMatch(/^ERR_REGISTRY_ENTRY_MISSING: --processor is not given/m)
    expect(run.stderr.split(NOTICE)).toHaveLength(2)
  })

  test('with --catalogue naming another file: ERR_INVALID_INPUT, nothing read or started', async () => {
    const file = catalogue()
    const matrix = await runCli(['matrix', '--catalogue', 'other.json', '--registry', file])
    expect(matrix.status).toBe(2)
    expect(matrix.stdout).toBe('')
    expect(matrix.stderr).toMatch(
      /^ERR_INVALID_INPUT: --catalogue 'other\.json' and --registry '.*cat\.json' name different processor catalogues/,
    )
    const deploy = await runCli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--catalogue', 'other.json', '--registry', file])
    expect(deploy.status).toBe(1)
    expect(deploy.stderr).toContain('Fix: Correct the option named in the message; modal-processor deploy --help')
    expect(deploy.modal.sessionsStarted).toBe(0)
  })

  test('help names --catalogue and documents --registry as its deprecated alias', () => {
    for (const command of ['deploy', 'run', 'matrix'] as const) {
      expect(commandHelp(command)).toMatch(/--catalogue FILE +processor catalogue file \(default: modal-processors\.json\)/)
      expect(commandHelp(command)).toMatch(/--registry FILE +deprecated alias of --catalogue/)
    }
  })
})
