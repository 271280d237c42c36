import { defaultDeployTag, judgeDeploy, type HistoryRow } from '../../src/rules/rollout.js'

const row = (version: number, tag: string | null): HistoryRow => ({ version, tag, timeDeployed: null, deployedBy: null })

describe('judgeDeploy', () => {
  test('a new version with our tag that is live is ours', () => {
    expect(judgeDeploy([row(3, 'old')], [row(4, 'ours'), row(3, 'old')], false, 'ours')).toEqual({ status: 'deployed', version: 4 })
  })

  test('a first deploy has no previous version', () => {
    expect(judgeDeploy([], [row(1, 'ours')], false, 'ours')).toEqual({ status: 'deployed', version: 1 })
  })

  test('a retried deploy whose first attempt published: the "skipped" retry still finds our version', () => {
    expect(judgeDeploy([row(3, 'old')], [row(4, 'ours'), row(3, 'old')], true, 'ours')).toEqual({ status: 'deployed', version: 4 })
  })

  test('a no-op deploy keeps the live version', () => {
    expect(judgeDeploy([row(3, 'old')], [row(3, 'old')], true, 'ours')).toEqual({ status: 'unchanged', version: 3 })
  })

  test('another deploy after ours is a race', () => {
    expect(judgeDeploy([row(3, 'old')], [row(5, 'theirs'), row(4, 'ours'), row(3, 'old')], false, 'ours')).toEqual({
      status: 'raced',
      ourVersion: 4,
      liveVersion: 5,
      liveTag: 'theirs',
    })
  })

  test('a new version during a no-op deploy is a race', () => {
    expect(judgeDeploy([row(3, 'old')], [row(4, 'theirs'), row(3, 'old')], true, 'ours').status).toBe('raced')
  })

  test('no new version after a reported deploy is unverified', () => {
    expect(judgeDeploy([row(3, 'old')], [row(3, 'old')], false, 'ours').status).toBe('unverified')
    expect(judgeDeploy([], [], false, 'ours').status).toBe('unverified')
  })
})

describe('defaultDeployTag', () => {
  test('commit and run on a runner, within the tag rule', () => {
    const tag = defaultDeployTag({ GITHUB_SHA: '3f2a1bc9d8e7f6a5b4c3', GITHUB_RUN_ID: '1001', GITHUB_RUN_ATTEMPT: '2' }, new Date())
    expect(tag).toBe('3f2a1bc9d8e7-r1001.2')
  })

  test('a timestamp outside Actions', () => {
    expect(defaultDeployTag({}, new Date('2026-11-25T10:20:30.456Z'))).toBe('local-20261125T102030')
  })
})
