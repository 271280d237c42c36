// The CLI bundle at a terminal, given hostile text: a processor's answer and error (the local adapter, the same contract
// as the deployed run) and a command line. Nothing a terminal acts on reaches stdout or stderr, and no line is longer
// than the bound: a large answer is its beginning and its size.
import { spawn } from 'node:child_process'
import { chmodSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { MAX_LOG_LINE } from '../../src/rules/untrusted-text.js'
import { ACTION_DIR } from './action-under-test.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { CONTROL } from '../support/hostile-samples.js'

const CLI = path.join(ACTION_DIR, 'dist', 'cli.cjs')
const HOSTILE =
  '\u001b[2J\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007 \u001b]52;c;cm0gLXJmIH4=\u001b\\ \u009b31m\u0007 ok\rFORGED'

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

/** A processor (Python) that reads the envelope and runs `body`. */
function processor(body: string): string {
  const file = path.join(scratchDir('hostile-processor-'), 'processor')
  writeFileSync(
    file,
    ['#!/usr/bin/env python3', 'import json, sys', 'sys.stdin.read()', `HOSTILE = ${JSON.stringify(HOSTILE)}`, body, ''].join('\n'),
  )
  chmodSync(file, 0o755)
  return file
}

function expectTerminalSafe(text: string): void {
  expect(CONTROL.exec(text)?.[0]).toBeUndefined()
  expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThanOrEqual(MAX_LOG_LINE)
}

const run = (processorFile: string) => cli(['run', '--ref', 'llm/litellm@1', '--adapter', 'local', '--processor', processorFile])

describe('modal-processor at a terminal, given hostile text', () => {
  // The local adapter keeps the last 4 MiB of the runner's output; the 20 MB answer is tested in process (cli/).
  test('a 3 MB answer with controls: escaped, its long line cut and its size said', async () => {
    const answered = await run(processor('print(json.dumps({"text": HOSTILE, "big": "x" * 3_000_000}))'))
    expect(answered.status).toBe(0)
    expectTerminalSafe(answered.stdout)
    expectTerminalSafe(answered.stderr)
    expect(answered.stdout).toContain('"text": "\\u001b[2J\\u001b]8;;https://evil.example/\\u0007link')
    expect(answered.stdout).toMatch(/"big": "x+… \(3000\d{3} characters in all\)\n/)
  })

  test('a failing processor’s message: shown on stderr with its controls as text, its bare CR a break shown on the one line', async () => {
    const failed = await run(processor('print(json.dumps({"error": {"code": "E", "message": HOSTILE}}))\nsys.exit(3)'))
    expect(failed.status).toBe(1)
    expectTerminalSafe(failed.stderr)
    expect(failed.stderr).toContain('␛[2J␛]8;;https://evil.example/␇link␛]8;;␇ ␛]52;c;cm0gLXJmIH4=␛\\ ␛[31m␇ ok ⏎ FORGED')
  })

  test('a command line with an escape sequence: the usage error shows it as text', async () => {
    const usage = await cli([`\u001b]52;c;cm0gLXJmIH4=\u0007`])
    expect(usage.status).toBe(2)
    expectTerminalSafe(usage.stderr)
    expect(usage.stderr).toContain("No such command '␛]52;c;cm0gLXJmIH4=␇'.")
  })
})
