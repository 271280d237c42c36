import { readFileSync } from 'node:fs'
import { runProcess } from '../src/process.js'

const env = { PATH: process.env.PATH }

/** Alive and not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

describe('runProcess', () => {
  test('captures stdout and stderr apart, with the exit code', async () => {
    const result = await runProcess('sh', ['-c', 'echo out; echo err >&2; exit 3'], { env, timeoutMs: 10000 })
    expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false, cancelled: false })
  })

  test('a timeout ends the whole process group, children included', async () => {
    const result = await runProcess('sh', ['-c', 'sleep 30 & echo $!; wait'], { env, timeoutMs: 500 })
    expect(result.timedOut).toBe(true)
    const child = Number(result.stdout.trim())
    expect(isRunning(child)).toBe(false)
  })

  test('keeps the end of a very long output, where results and errors are', async () => {
    const script = 'import sys; sys.stdout.write("x" * (5 * 1024 * 1024)); print(); print("THE ANSWER")'
    const result = await runProcess('python3', ['-c', script], { env, timeoutMs: 30000 })
    expect(result.stdout.endsWith('THE ANSWER\n')).toBe(true)
    expect(result.stdout.length).toBeLessThanOrEqual(4 * 1024 * 1024)
  })

  test('a child that never reads its input does not crash the caller', async () => {
    const result = await runProcess('true', [], { env, timeoutMs: 10000, input: 'x'.repeat(1024 * 1024) })
    expect(result.exitCode).toBe(0)
  })

  test('streams complete lines as they come', async () => {
    const lines: string[] = []
    await runProcess('sh', ['-c', 'printf "a\\nb\\nc"'], { env, timeoutMs: 10000, onLine: (line) => lines.push(line) })
    expect(lines).toEqual(['a', 'b', 'c'])
  })
})
