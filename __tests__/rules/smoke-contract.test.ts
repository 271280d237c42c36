import { judgeSmokeResult, smokePayload } from '../../src/rules/smoke-contract.js'

describe('smoke call', () => {
  test('the payload is the v1 envelope', () => {
    expect(smokePayload('mock', { a: 1 })).toEqual({ schema: 'v1', mode: 'mock', params: { a: 1 } })
  })

  test('a contract success passes with its output', () => {
    const result = { ok: true, schema: 'v1', processor: 'llm/litellm@1', mode: 'mock', output: { text: 'hi' }, duration_ms: 12 }
    expect(judgeSmokeResult(result)).toEqual({ status: 'passed', output: { text: 'hi' } })
  })

  test('a processor failure carries its message', () => {
    const result = {
      ok: false,
      schema: 'v1',
      error: { type: 'ProcessorError', code: 'AUTH', message: 'bad key', exit_code: 2, stderr_tail: 'x' },
    }
    expect(judgeSmokeResult(result)).toEqual({
      status: 'failed',
      errorType: 'ProcessorError',
      code: 'AUTH',
      message: 'bad key',
      stderrTail: 'x',
    })
  })

  test('anything else is invalid, with the problem named', () => {
    const verdict = judgeSmokeResult('garbage')
    expect(verdict.status).toBe('invalid')
    expect(judgeSmokeResult({ ok: true, output: 'x' }).status).toBe('invalid')
  })
})
