// What the CLI prints of a processor's hostile answer: no control a terminal acts on, no line past the bound, no line
// of a multi-line secret, on stdout (the answer) and on stderr (progress and errors).
import { MAX_LOG_LINE } from '../../src/rules/untrusted-text.js'
import { runCli } from '../support/cli-in-process.js'
import { FakeModal } from '../support/fake-modal.js'
import { CONTROL, PEM, PEM_LINES } from '../support/hostile-samples.js'

const IMAGE = `ghcr.io/acme/llm-litellm:1@sha256:${'a'.repeat(64)}`
const HOSTILE =
  '\u001b[2J\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007 \u001b]52;c;cm0gLXJmIH4=\u001b\\ \u009b31m\u0007 ok\rFORGED'

const answer = (output: unknown) => ({ ok: true, schema: 'v1', processor: 'llm/litellm@1', mode: 'mock', output, duration_ms: 1 })

function expectTerminalSafe(text: string): void {
  expect(text).not.toMatch(CONTROL)
  for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(MAX_LOG_LINE + 8) // + the toolkit's indent
}

describe('the CLI prints hostile text as text', () => {
  test('run: controls escaped in the JSON (C1 too), a 20 MB answer its beginning and its size', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'a')
    modal.answerCall = () => answer({ text: HOSTILE, big: 'x'.repeat(20_000_000) })
    const run = await runCli(['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--env', 'dev'], { modal })
    expect(run.status).toBe(0)
    expectTerminalSafe(run.stdout)
    expect(run.stdout).toContain('"text": "\\u001b[2J\\u001b]8;;https://evil.example/\\u0007link')
    expect(run.stdout).toContain('\\u009b31m')
    expect(run.stdout).toMatch(/"big": "x+… \(2000\d{4} characters in all\)\n/)
    expect(run.stdout.length).toBeLessThan(20_000)
  })

  test('run: a failing processor’s message on stderr shows its controls; its bare CR is shown as a break on the one line, overwriting none', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'a')
    modal.answerCall = () => ({
      ...answer(null),
      ok: false,
      error: { type: 'ProcessorError', code: null, message: HOSTILE, exit_code: 1, stderr_tail: '' },
    })
    const run = await runCli(['run', '--ref', 'llm/litellm@1', '--adapter', 'modal', '--env', 'dev'], { modal })
    expect(run.status).toBe(1)
    expectTerminalSafe(run.stderr)
    expect(run.stderr).toContain('␛[2J␛]8;;https://evil.example/␇link␛]8;;␇ ␛]52;c;cm0gLXJmIH4=␛\\ ␛[31m␇ ok ⏎ FORGED\n')
  })

  test('deploy: the smoke output and the errors, on stderr and in --json, hold no control and no line of a PEM key', async () => {
    const args = ['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--image-ref', IMAGE, '--tool-secrets', 'OPENAI_API_KEY']
    const env = { OPENAI_API_KEY: PEM }
    const modal = new FakeModal()
    modal.answerCall = () => answer({ text: HOSTILE, echoed: `  ${PEM_LINES[0]}\n`, line: PEM_LINES[1] })
    const passed = await runCli(args, { modal, env })
    expect(passed.status).toBe(0)
    expectTerminalSafe(passed.stderr)
    expect(passed.stderr).toContain('"text": "\\u001b[2J\\u001b]8;;https://evil.example/\\u0007link')
    expect(passed.stderr).toContain('\\u009b31m')
    for (const line of PEM_LINES) expect(passed.stderr).not.toContain(line)

    const failing = new FakeModal()
    failing.answerCall = () => ({
      ...answer(null),
      ok: false,
      error: { type: 'ProcessorError', code: null, message: `${HOSTILE} ${PEM_LINES[0]}`, exit_code: 1, stderr_tail: PEM },
    })
    const failed = await runCli([...args, '--json', '--no-rollback'], { modal: failing, env })
    expect(failed.status).toBe(1)
    for (const text of [failed.stdout, failed.stderr]) {
      expectTerminalSafe(text)
      for (const line of PEM_LINES) expect(text).not.toContain(line)
    }
    expect(JSON.parse(failed.stdout).errors[0].message).toContain('\u009b31m') // JSON keeps the value; escaped, not raw
  })
})
