import { readFileSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import { readLines, runProcess } from '../../src/platform/process.js'

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
    // The shell must print its child's pid before the timeout: on a loaded machine it may need longer, so the
    // timeout grows until it has (the child is killed either way).
    let result = await runProcess('sh', ['-c', 'sleep 600 & echo $!; wait'], { env, timeoutMs: 500 })
    for (let timeoutMs = 2000; result.stdout === '' && timeoutMs <= 16000; timeoutMs *= 2) {
      result = await runProcess('sh', ['-c', 'sleep 600 & echo $!; wait'], { env, timeoutMs })
    }
    expect(result.timedOut).toBe(true)
    expect(result.stdout).toMatch(/^[0-9]+\n$/)
    expect(isRunning(Number(result.stdout.trim()))).toBe(false)
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
})

test('a character split between two reads of a pipe arrives whole (D11)', async () => {
  const script =
    'import sys, time; b = "é".encode(); sys.stdout.buffer.write(b[:1]); sys.stdout.flush(); time.sleep(0.2); sys.stdout.buffer.write(b[1:])'
  const result = await runProcess('python3', ['-c', script], { env, timeoutMs: 10000 })
  expect(result.stdout).toBe('é')
})

describe('readLines', () => {
  function linesOf(chunks: string[], maxLine = 10) {
    const stream = new PassThrough()
    const seen: string[] = []
    const done = new Promise<void>((onEnd) =>
      readLines(stream, maxLine, { onLine: (line) => seen.push(line), onOverlong: () => seen.push('<overlong>'), onEnd }),
    )
    for (const chunk of chunks) stream.write(chunk)
    stream.end()
    return done.then(() => seen)
  }

  test('complete lines, across chunks, and the last one without a newline', async () => {
    expect(await linesOf(['a\nb', 'c\n', '\nd'])).toEqual(['a', 'bc', '', 'd'])
  })

  test('a line over the limit is dropped whole, however it is split, and the next one is read', async () => {
    expect(await linesOf(['ok\n0123456789', 'ABCDEF', 'GHI\nnext\n'])).toEqual(['ok', '<overlong>', 'next'])
    expect(await linesOf(['0123456789AB\nnext'])).toEqual(['<overlong>', 'next'])
  })

  test('a 100 MB line is dropped without reading it again and again', async () => {
    const chunk = 'x'.repeat(64 * 1024)
    const seen = await linesOf([...Array.from({ length: 1600 }, () => chunk), '\nafter\n'], 1024 * 1024)
    expect(seen).toEqual(['<overlong>', 'after'])
  })
})
