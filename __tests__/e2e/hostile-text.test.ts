// Text from outside, by class, through the bundled action as the runner runs it: terminal control sequences from the
// module (during the deploy) and from the processor (its answer, its error), a 20 MB answer, and multi-line secrets
// (a PEM key, a pretty-printed JSON credential) printed by both. Nothing of it may reach the log, the annotations,
// the outputs or the summary as it was: controls are shown as text, lines are bounded, secret lines are redacted.
import { mkdtempSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { ActionRun } from '../../testing/harness/github-runner.mjs'
import { MAX_LOG_LINE } from '../../src/rules/untrusted-text.js'
import { expectFailure, placesOf, World } from './world.js'
import { CONTROL, PEM } from '../support/hostile-samples.js'

const HOSTILE =
  '\u001b[2J\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007 \u001b]52;c;cm0gLXJmIH4=\u001b\\ \u009b31m\u009d0;title\u009c\u0007\u007f ok\rFORGED'
const CREDENTIAL = JSON.stringify(
  {
    type: 'service_account',
    private_key_id: '3f1c2b9a8e7d6c5b4a39281706f5e4d3c2b1a098',
    client_email: 'deployer@acme-prod.iam.gserviceaccount.com',
  },
  null,
  2,
)
const SECRET_LINES = [PEM, CREDENTIAL].flatMap((value) => value.split('\n').map((line) => line.trim())).filter((line) => line.length >= 8)

/** A module of the user's own: prints hostile text and the step's secrets at import (the deploy), and `run` is `body`. */
function hostileModule(world: World, body: string): string {
  const dir = mkdtempSync(path.join(world.emulator.home, 'hostile-'))
  const py = (text: string) => JSON.stringify(text) // a JSON string literal is a Python one
  writeFileSync(
    path.join(dir, 'modal_app.py'),
    [
      'import os, sys',
      'import modal',
      `HOSTILE = ${py(HOSTILE)}`,
      `PEM = ${py(PEM)}`,
      `CREDENTIAL = ${py(CREDENTIAL)}`,
      'print(HOSTILE)',
      'print(os.environ.get("OPENAI_API_KEY", ""))',
      'print(os.environ.get("GOOGLE_CREDENTIALS", ""), file=sys.stderr)',
      'print("y" * 300000)',
      'app = modal.App("llm-litellm-v1")',
      '',
      '@app.function()',
      'def run(inputs: dict) -> dict:',
      body,
      '',
    ].join('\n'),
  )
  return dir
}

function expectSafe(run: ActionRun): void {
  for (const [place, text] of placesOf(run)) {
    expect([place, CONTROL.exec(text)?.[0]]).toEqual([place, undefined])
    for (const line of SECRET_LINES) expect([place, text.includes(line)]).toEqual([place, false])
  }
  // Every line the log shows, annotations included, is bounded.
  const shown = [...run.logLines, ...run.annotations.flatMap((a) => a.message.split('\n'))]
  expect(Math.max(...shown.map((line) => line.length))).toBeLessThanOrEqual(MAX_LOG_LINE)
}

const stepSecrets = { OPENAI_API_KEY: PEM, GOOGLE_CREDENTIALS: CREDENTIAL }
const inputs = (moduleDir: string) => ({
  'modal-module-dir': moduleDir,
  'image-visibility': 'public',
  'tool-secrets': 'OPENAI_API_KEY\nGOOGLE_CREDENTIALS?',
  'rollback-on-failure': 'false',
})

describe('text from outside, by class, through the bundled action', () => {
  test('controls in the deploy output and in a 20 MB answer are shown as text, each line bounded; secret lines are redacted', async () => {
    const world = new World()
    const output = '{"text": HOSTILE, "pem": PEM, "credential": CREDENTIAL, "big": "x" * 20_000_000}'
    const body = `    return {"ok": True, "schema": "v1", "processor": "llm/litellm@1", "mode": inputs["mode"], "output": ${output}, "duration_ms": 1}`
    const run = await world.run(inputs(hostileModule(world, body)), stepSecrets)
    expect(run.exitCode).toBe(0)
    expectSafe(run)
    // Shown, not dropped: the deploy's line as text, its bare CR a line of its own; the answer escaped as JSON.
    expect(run.logLines).toContain('␛[2J␛]8;;https://evil.example/␇link␛]8;;␇ ␛]52;c;cm0gLXJmIH4=␛\\ ␛[31m␛]0;title␛\\␇␡ ok')
    expect(run.logLines).toContain('FORGED')
    // The module printed both secrets during the deploy, line by line: each line of them is in the log as ***.
    expect(run.logLines.filter((line) => line.trim() === '***').length).toBeGreaterThanOrEqual(SECRET_LINES.length)
    expect(run.logLines.some((line) => /^y+… \(300000 characters in all\)$/.test(line))).toBe(true)
    expect(run.logLines.some((line) => /^ {2}"big": "x+… \(2000\d{4} characters in all\)$/.test(line))).toBe(true)
    expect(run.stdout.length).toBeLessThan(200_000)
    expect(run.outputs['smoke-output'].length).toBeLessThan(20_000)
    expect(JSON.parse(run.outputs['smoke-output'])).toMatchObject({ truncated: true })
    expect(run.summary.length).toBeLessThan(20_000)
  })

  test('a failing processor’s message and stderr: the annotation and the summary show controls as text, no secret line', async () => {
    const world = new World()
    const error =
      '{"type": "ProcessorError", "code": None, "message": HOSTILE + " " + PEM, "exit_code": 1, "stderr_tail": CREDENTIAL + "\\n" + HOSTILE}'
    const body = `    return {"ok": False, "schema": "v1", "processor": "llm/litellm@1", "mode": inputs["mode"], "error": ${error}}`
    const run = await world.run(inputs(hostileModule(world, body)), stepSecrets)
    expectFailure(run, ['ERR_SMOKE_FAILED'], 'smoke')
    expectSafe(run)
    expect(run.annotations[0].message).toContain('␛[2J␛]8;;https://evil.example/␇link')
    expect(run.summary).toContain('␛\\[2J␛\\]8;;https\\://evil.example/␇link') // a cell: escaped Markdown too
  })
})
