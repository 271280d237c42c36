// The input grammar of the action, in process, by class: names that are members of every JavaScript object, a
// catalogue whose keys repeat, and tool secret names the runtime owns. None may crash the run (ERR_UNEXPECTED) or
// change what is deployed; each is refused with its own code before any session starts, or treated as plain text.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { FakeModal } from '../support/fake-modal.js'
import { OBJECT_MEMBERS } from '../support/object-members.js'
import { errorTitles, recordingToolkit } from '../support/recording-toolkit.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { runAction } from '../../src/flow/run-action.js'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`
const BASE = { 'processor-ref': 'llm/litellm@1', 'image-ref': IMAGE, 'modal-environment': 'dev', 'tool-secrets': 'OPENAI_API_KEY' }

async function run(modal: FakeModal, inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const kit = recordingToolkit({ ...BASE, ...inputs }, env)
  const report = await runAction(kit, { connect: modal.connect })
  const messages = kit.record.annotations.filter((a) => a.level === 'error').map((a) => a.message)
  return { ...kit.record, report, errors: errorTitles(kit.record), messages }
}

/** A workspace holding only `modal-processors.json` with this exact text. */
function workspaceWithCatalogue(text: string): string {
  const dir = scratchDir('grammar-workspace-')
  writeFileSync(path.join(dir, 'modal-processors.json'), text)
  return dir
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const ENTRY = `{"image": {"oci": "${IMAGE}"}, "tool_secrets": ["OPENAI_API_KEY"]}`

describe('refs that are members of every JavaScript object are unknown refs', () => {
  test.each(OBJECT_MEMBERS)('processor-ref %s: an invalid ref, and only that; nothing crashes', async (ref) => {
    const modal = new FakeModal()
    const result = await run(modal, { 'processor-ref': ref, 'image-ref': '' })
    expect(result.errors).toEqual(['ERR_INVALID_PROCESSOR_REF'])
    expect(result.messages[0]).toContain('Invalid processor ref')
    expect(modal.sessionsStarted).toBe(0)
  })

  test('a catalogue whose keys are such names is read as data: its own entries are found, the others are not', async () => {
    const text = `{"processors": {"toString": ${ENTRY}, "constructor": ${ENTRY}, "llm/litellm@1": ${ENTRY}}}`
    const workspace = workspaceWithCatalogue(text)
    const found = await run(new FakeModal(), { 'image-ref': '' }, { GITHUB_WORKSPACE: workspace })
    expect(found.errors).toEqual([])
    expect(found.report.imageRef).toBe(IMAGE)
    const missing = await run(new FakeModal(), { 'processor-ref': 'valueOf', 'image-ref': '' }, { GITHUB_WORKSPACE: workspace })
    expect(missing.errors).toEqual(['ERR_INVALID_PROCESSOR_REF'])
  })

  test('tool secrets named like object members are ordinary secrets: checked, attached, deployed', async () => {
    const modal = new FakeModal()
    const names = ['constructor', 'toString', 'valueOf', 'hasOwnProperty']
    for (const name of names) modal.secrets.set(`dev/${name}`, [name])
    const result = await run(modal, { 'tool-secrets': names.join(',') })
    expect(result.errors).toEqual([])
    expect(modal.labels()).toContain('modal deploy')
    const missing = await run(new FakeModal(), { 'tool-secrets': 'constructor,valueOf?' })
    expect(missing.errors).toEqual(['ERR_MISSING_SECRET'])
    expect(missing.messages[0]).toContain("modal secret create constructor constructor='<constructor>' --env dev")
  })
})

describe('a catalogue says each thing once', () => {
  test.each([
    ['two entries for one ref', `{"processors": {"llm/litellm@1": ${ENTRY}, "llm/litellm@1": ${ENTRY}}}`, 'processors.llm/litellm@1'],
    [
      'the same ref, spelled with an escape',
      `{"processors": {"llm/litellm@1": ${ENTRY}, "llm\\/litellm\\u00401": ${ENTRY}}}`,
      'processors.llm/litellm@1',
    ],
    [
      'a field twice inside an entry',
      `{"processors": {"llm/litellm@1": {"image": {"oci": "${IMAGE}", "oci": "ghcr.io/evil/x:1@sha256:${'b'.repeat(64)}"}}}}`,
      'processors.llm/litellm@1.image.oci',
    ],
    ['processors twice', `{"processors": {}, "processors": {"llm/litellm@1": ${ENTRY}}}`, 'processors'],
  ])('%s: ERR_INVALID_REGISTRY names the file and the key, before any session', async (_, text, where) => {
    const modal = new FakeModal()
    const result = await run(modal, { 'image-ref': '' }, { GITHUB_WORKSPACE: workspaceWithCatalogue(text) })
    expect(result.errors[0]).toBe('ERR_INVALID_REGISTRY')
    expect(result.messages[0]).toMatch(
      new RegExp(`^modal-processors\\.json: ${escape(where)}: this key appears more than once in its object; give each key once\\.\n`),
    )
    expect(modal.sessionsStarted).toBe(0)
  })

  test.each([
    ['at the top', `{"__proto__": {}, "processors": {"llm/litellm@1": ${ENTRY}}}`, '__proto__'],
    ['as a ref', `{"processors": {"__proto__": ${ENTRY}, "llm/litellm@1": ${ENTRY}}}`, 'processors.__proto__'],
    [
      'inside smoke_inputs, escaped',
      `{"processors": {"llm/litellm@1": {"image": {"oci": "${IMAGE}"}, "smoke_inputs": {"\\u005f_proto__": {"x": 1}}}}}`,
      'processors.llm/litellm@1.smoke_inputs.__proto__',
    ],
  ])('a __proto__ key %s is refused, never silently dropped', async (_, text, where) => {
    const result = await run(new FakeModal(), {}, { GITHUB_WORKSPACE: workspaceWithCatalogue(text) })
    expect(result.errors).toEqual(['ERR_INVALID_REGISTRY'])
    expect(result.messages[0]).toContain(
      `modal-processors.json: ${where}: the key __proto__ is not allowed (JavaScript reads it as an object prototype, not as data).\n`,
    )
  })
})

describe('tool secret names the runtime owns are refused in the inputs phase', () => {
  test.each([
    'PATH',
    'HOME',
    'LD_PRELOAD',
    'PYTHONPATH',
    'NODE_OPTIONS',
    'BASH_ENV',
    'MODAL_TOKEN_ID',
    'GITHUB_TOKEN',
    'PROCESSOR_REF',
    'TOOL_SECRETS',
  ])('%s, as the input and as the catalogue’s tool_secrets, with why and what to do', async (name) => {
    const modal = new FakeModal()
    const given = await run(modal, { 'tool-secrets': `OPENAI_API_KEY\n${name}?` })
    expect(given.errors).toEqual(['ERR_INVALID_TOOL_SECRETS'])
    expect(given.messages[0]).toContain(`tool-secrets lists ${name}, a variable the runtime owns (`)
    expect(given.messages[0]).toContain(
      `a secret of that name would override it inside the container. Rename the secret (e.g. MYTOOL_${name}) and read it under the new name in the processor.`,
    )
    expect(given.outputs.phase).toBe('inputs')
    expect(modal.sessionsStarted).toBe(0)
    const text = JSON.stringify({ processors: { 'llm/litellm@1': { image: { oci: IMAGE }, tool_secrets: ['OPENAI_API_KEY', name] } } })
    const listed = await run(new FakeModal(), { 'tool-secrets': '' }, { GITHUB_WORKSPACE: workspaceWithCatalogue(text) })
    expect(listed.errors).toEqual(['ERR_INVALID_REGISTRY'])
    expect(listed.messages[0]).toContain(
      `modal-processors.json: processors.llm/litellm@1.tool_secrets: tool-secrets lists ${name}, a variable`,
    )
  })
})
