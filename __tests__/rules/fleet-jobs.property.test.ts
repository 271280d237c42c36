// Packing a fleet into jobs: every processor exactly once, never more jobs than allowed, sizes that differ by one at
// most, the plan's order kept, and the same jobs for the same plan. Also the plan's matrix built from them.
import fc from 'fast-check'
import { GITHUB_MAX_MATRIX_JOBS, packJobs, parseMaxJobs, planSummary } from '../../src/rules/fleet-jobs.js'
import { fleetMatrix, plannedEntries, splitRefs } from '../../src/rules/fleet-plan.js'
import type { ProcessorCatalogue } from '../../src/rules/catalogue.js'

const RUNS = { numRuns: 2_000 }
const items = fc.uniqueArray(fc.nat(), { maxLength: 1_200 })
const maxJobs = fc.integer({ min: 1, max: GITHUB_MAX_MATRIX_JOBS })

describe('packJobs', () => {
  test('every item exactly once, in the given order', () => {
    fc.assert(
      fc.property(items, maxJobs, (list, n) => {
        expect(packJobs(list, n).flat()).toEqual(list)
      }),
      RUNS,
    )
  })

  test('at most N jobs, none empty; up to N items, one job each', () => {
    fc.assert(
      fc.property(items, maxJobs, (list, n) => {
        const jobs = packJobs(list, n)
        expect(jobs.length).toBeLessThanOrEqual(n)
        expect(jobs.every((job) => job.length > 0)).toBe(true)
        if (list.length <= n) expect(jobs).toEqual(list.map((item) => [item]))
        else expect(jobs).toHaveLength(n)
      }),
      RUNS,
    )
  })

  test('sizes differ by one at most', () => {
    fc.assert(
      fc.property(items, maxJobs, (list, n) => {
        const sizes = packJobs(list, n).map((job) => job.length)
        if (sizes.length > 0) expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
      }),
      RUNS,
    )
  })

  test('stable: the same plan gives the same jobs, whatever was planned before', () => {
    fc.assert(
      fc.property(items, maxJobs, (list, n) => {
        expect(packJobs([...list], n)).toEqual(packJobs(list, n))
      }),
      RUNS,
    )
  })

  test('refuses a limit that is not a positive whole number', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => packJobs([1], n)).toThrow(RangeError)
  })
})

describe('parseMaxJobs', () => {
  test.each([
    ['1', 1],
    ['256', 256],
    [' 40 ', 40],
    ['0', null],
    ['257', null],
    ['1e2', null],
    ['', null],
    ['0x10', null],
  ])('%j → %j', (text, value) => expect(parseMaxJobs(text)).toBe(value))
})

describe('fleetMatrix past the job limit', () => {
  const refs = (count: number) => Array.from({ length: count }, (_, i) => `ns${i}/proc@1`)
  const catalogue = (list: string[]): ProcessorCatalogue =>
    ({
      processors: Object.fromEntries(
        list.map((ref) => [ref, { image: { oci: `ghcr.io/a/b:1@sha256:${'a'.repeat(64)}` }, tool_secrets: [] }]),
      ),
    }) as unknown as ProcessorCatalogue

  test('any plan: the batches name every planned processor once, and plannedEntries reads them back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 700 }), maxJobs, (count, n) => {
        const list = refs(count)
        const matrix = fleetMatrix(
          catalogue(list),
          list.map((ref) => ({ ref, reason: 'r' })),
          'cat.json',
          n,
        )
        expect(matrix.include.length).toBeLessThanOrEqual(n)
        expect(plannedEntries(matrix).map((e) => e['processor-ref'])).toEqual(list)
        expect(plannedEntries(matrix).every((e) => e['app-name'] === e['processor-ref'].replace('/', '-').replace('@', '-v'))).toBe(true)
        const batches = matrix.include.filter((job) => 'batch' in job)
        expect(new Set(batches.map((job) => job.batch)).size).toBe(batches.length)
      }),
      { numRuns: 300 },
    )
  })

  test('splitRefs leaves blanks out', () => {
    expect(splitRefs(' a , ,b,')).toEqual(['a', 'b'])
  })
})

describe('planSummary', () => {
  test('groups reasons by kind (details kept when the group shares them), and says when the processors were packed', () => {
    expect(planSummary(['the Modal module changed (modal/)', 'the Modal module changed (modal/)'], 2, 2)).toBe(
      'Planned 2 of 2 processors (2 the Modal module changed (modal/)).',
    )
    const reasons = ['its files changed (a/)', 'its files changed (b/)', 'new in the catalogue']
    expect(planSummary([], 0, 10)).toBe('Planned 0 of 10 processors.')
    expect(planSummary(reasons, 3, 10)).toBe('Planned 3 of 10 processors (2 its files changed; 1 new in the catalogue).')
    expect(planSummary(reasons, 2, 10)).toBe(
      'Planned 3 of 10 processors (2 its files changed; 1 new in the catalogue), packed into 2 jobs.',
    )
  })
})
