// `deploy` with several refs, in process: one Modal session for the batch, every processor attempted, a report each,
// a summary and the exit code of the whole.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runCli } from '../support/cli-in-process.js'
import { cli as cliAnswer, FakeModal, panel } from '../support/fake-modal.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

const image = (name: string) => `ghcr.io/acme/${name}:1@sha256:${'c'.repeat(64)}`
const REFS = ['alpha/proc@1', 'beta/proc@1', 'gamma/proc@1']

/** A workspace whose catalogue has the three processors. */
function workspace(): string {
  const dir = scratchDir('batch-')
  const processors = Object.fromEntries(REFS.map((ref) => [ref, { image: { oci: image(ref.split('/')[0]) }, tool_secrets: [] }]))
  writeFileSync(path.join(dir, 'modal-processors.json'), JSON.stringify({ processors }))
  return dir
}

/** A session where the deploy of `failing` fails with an error panel. */
function modalFailing(failing: string | null): FakeModal {
  return new FakeModal().on('modal deploy', (request) =>
    (request.args.env as Record<string, string>).MODAL_APP_NAME === failing
      ? cliAnswer(1, '', panel('Image build for im-1 failed'))
      : undefined,
  )
}

const batch = (dir: string, modal: FakeModal, ...args: string[]) =>
  runCli(['deploy', '--env', 'dev', ...args], { modal, cwd: dir, env: { GITHUB_WORKSPACE: dir } })

describe('deploy with several refs', () => {
  test('one session for all; the failing one does not stop the rest; a report each; exit 1; a summary', async () => {
    const dir = workspace()
    const modal = modalFailing('beta-proc-v1')
    const run = await batch(dir, modal, '--ref', REFS[0], '--refs', `${REFS[1]},${REFS[2]}`, '--report-dir', 'reports')
    expect(run.status).toBe(1)
    expect(modal.sessionsStarted).toBe(1)
    // Each processor was deployed, in the order given, through that one session.
    const deploys = modal.requests.filter((r) => r.label === 'modal deploy')
    expect(deploys.map((r) => (r.args.env as Record<string, string>).MODAL_APP_NAME)).toEqual([
      'alpha-proc-v1',
      'beta-proc-v1',
      'gamma-proc-v1',
    ])
    expect(new Set(modal.requests.map((r) => r.session))).toEqual(new Set([1]))
    expect(modal.sessionsClosed).toBe(1)
    expect(readdirSync(path.join(dir, 'reports')).sort()).toEqual(['alpha-proc-v1.json', 'beta-proc-v1.json', 'gamma-proc-v1.json'])
    const report = (name: string) => JSON.parse(readFileSync(path.join(dir, 'reports', `${name}.json`), 'utf8'))
    expect(report('alpha-proc-v1')).toMatchObject({ ok: true, processorRef: 'alpha/proc@1' })
    expect(report('beta-proc-v1')).toMatchObject({ ok: false, processorRef: 'beta/proc@1', errors: [{ code: 'ERR_IMAGE_BUILD_FAILED' }] })
    expect(report('gamma-proc-v1')).toMatchObject({ ok: true, processorRef: 'gamma/proc@1' })
    expect(run.stderr).toContain('━━ [2/3] beta/proc@1 → dev')
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('✓ alpha/proc@1 → alpha-proc-v1 in dev: v1 live, smoke call passed')
    expect(lines[1]).toMatch(/^✗ beta\/proc@1: ERR_IMAGE_BUILD_FAILED: modal deploy failed: the image build failed \(image im-1\)/)
    expect(lines[2]).toBe('✓ gamma/proc@1 → gamma-proc-v1 in dev: v1 live, smoke call passed')
    expect(lines[3]).toBe('2 of 3 processors passed (1 Modal session).')
  })

  test('all passed: exit 0; --json gives every processor with its errors and their fixes', async () => {
    const dir = workspace()
    const ok = await batch(dir, modalFailing(null), '--refs', REFS.join(','))
    expect(ok.status).toBe(0)
    expect(ok.stdout).toContain('3 of 3 processors passed (1 Modal session).')
    const json = await batch(dir, modalFailing('gamma-proc-v1'), '--refs', REFS.join(','), '--json', '--quiet')
    expect(json.status).toBe(1)
    // --quiet leaves only the errors on stderr.
    expect(json.stderr).not.toContain('━━')
    expect(json.stderr).toContain('✗ ERR_IMAGE_BUILD_FAILED')
    const parsed = JSON.parse(json.stdout)
    expect(parsed).toMatchObject({ ok: false, sessions: 1 })
    expect(parsed.processors.map((p: { ref: string; ok: boolean }) => [p.ref, p.ok])).toEqual([
      [REFS[0], true],
      [REFS[1], true],
      [REFS[2], false],
    ])
    expect(parsed.processors[2].errors[0]).toMatchObject({ code: 'ERR_IMAGE_BUILD_FAILED', fix: expect.any(String) })
  })

  test('a session that dies mid-batch is replaced for the next processor, and the summary says two sessions', async () => {
    const dir = workspace()
    const modal = new FakeModal().hang('modal deploy', 'timeout', 1)
    const run = await batch(dir, modal, '--refs', REFS.slice(0, 2).join(','), '--report-dir', 'reports')
    expect(run.status).toBe(1)
    expect(modal.sessionsStarted).toBe(2)
    expect(run.stdout).toMatch(/✗ alpha\/proc@1: ERR_DEPLOY_TIMEOUT/)
    expect(run.stdout).toContain('✓ beta/proc@1 → beta-proc-v1 in dev')
    expect(run.stdout).toContain('1 of 2 processors passed (2 Modal sessions).')
  })

  test('a ref the catalogue lacks is a usage error before anything deploys, naming its flag, with the near refs', async () => {
    const dir = workspace()
    const modal = modalFailing(null)
    const run = await batch(dir, modal, '--ref', 'alpha/prco@1', '--refs', `${REFS[1]},gamma/proc@2,Not A Ref`, '--report-dir', 'reports')
    expect(run.status).toBe(2)
    expect(run.stderr).toContain("--ref 'alpha/prco@1': not in modal-processors.json. Did you mean 'alpha/proc@1'?\n")
    expect(run.stderr).toContain("--refs 'gamma/proc@2': not in modal-processors.json. Did you mean 'gamma/proc@1'?\n")
    expect(run.stderr).toContain("--refs 'Not A Ref': not in modal-processors.json.\n")
    expect(run.stderr).toContain('Nothing was deployed')
    expect(run.stderr).not.toContain('image-ref')
    expect(run.stdout).toBe('')
    expect(modal.sessionsStarted).toBe(0)
    expect(existsSync(path.join(dir, 'reports'))).toBe(false)
  })

  test('with no catalogue, every ref is named, even in a dry run', async () => {
    const dir = scratchDir('batch-none-')
    const run = await batch(dir, new FakeModal(), '--refs', REFS.slice(0, 2).join(','), '--dry-run')
    expect(run.status).toBe(2)
    expect(run.stderr).toContain("--refs 'alpha/proc@1': there is no processor catalogue modal-processors.json.\n")
    expect(run.stderr).toContain("--refs 'beta/proc@1': there is no processor catalogue modal-processors.json.\n")
  })

  test('one ref with --report-dir writes its report there, as a batch of one', async () => {
    const dir = workspace()
    const run = await batch(dir, modalFailing(null), '--ref', REFS[0], '--report-dir', 'out')
    expect(run.status).toBe(0)
    expect(readdirSync(path.join(dir, 'out'))).toEqual(['alpha-proc-v1.json'])
  })

  test.each([
    [['--refs', ' , '], "Missing option '--ref' (or --refs A,B)."],
    [[], "Missing option '--ref' (or --refs A,B)."],
    [['--ref', REFS[0], '--refs', REFS[0]], "The processor ref 'alpha/proc@1' is given twice."],
    [['--refs', REFS.join(','), '--image-ref', image('x')], "--image-ref names one processor's values"],
    [['--refs', REFS.join(','), '--app-name', 'x', '--report-file', 'r.json'], "--app-name, --report-file name one processor's values"],
    [['--ref', REFS[0], '--report-file', 'r.json', '--report-dir', 'd'], 'Give --report-file or --report-dir, not both.'],
    [['--ref', REFS[0], '--report-dir', ''], '--report-dir needs a folder'],
  ])('%j is a usage error, before any session', async (args, message) => {
    const modal = new FakeModal()
    const run = await batch(workspace(), modal, ...args)
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(message)
    expect(modal.sessionsStarted).toBe(0)
  })
})
