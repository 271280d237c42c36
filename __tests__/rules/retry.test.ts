import { backoffDelay, withRetries } from '../../src/rules/retry.js'

const policy = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 3000 }

describe('withRetries', () => {
  test('retries transient results with growing, jittered delays, then stops', async () => {
    const delays: number[] = []
    let calls = 0
    const result = await withRetries(
      async () => ++calls,
      () => 'connection refused',
      policy,
      { sleep: async (ms) => void delays.push(ms), random: () => 1, onRetry: () => {} },
    )
    expect(result).toBe(3)
    expect(delays).toEqual([1000, 2000])
  })

  test('returns at once when the result is final', async () => {
    let calls = 0
    await withRetries(
      async () => ++calls,
      () => null,
      policy,
      { sleep: async () => {}, random: Math.random, onRetry: () => {} },
    )
    expect(calls).toBe(1)
  })

  test('the delay is capped and random within its bound', () => {
    expect(backoffDelay(5, policy, () => 1)).toBe(3000)
    expect(backoffDelay(1, policy, () => 0.5)).toBe(500)
  })
})
