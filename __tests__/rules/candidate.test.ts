// A verify-first candidate's deploy, judged from its history alone: the step's tag names its version.
import { appNameOfDeployment, judgeCandidateDeploy } from '../../src/rules/candidate.js'
import type { HistoryRow } from '../../src/rules/rollout.js'

const row = (version: number, tag: string | null): HistoryRow => ({ version, tag, timeDeployed: null, deployedBy: 'ci' })

describe('judgeCandidateDeploy', () => {
  test('our tag on the live row: deployed, whatever came before (a candidate left running, or a new app)', () => {
    expect(judgeCandidateDeploy([row(1, 'ours')], false, 'ours')).toEqual({ status: 'deployed', version: 1 })
    expect(judgeCandidateDeploy([row(3, 'ours'), row(2, 'old'), row(1, null)], false, 'ours')).toEqual({ status: 'deployed', version: 3 })
  })

  test('our version, but another one is live after it: raced, never tested as ours', () => {
    expect(judgeCandidateDeploy([row(2, 'other'), row(1, 'ours')], false, 'ours')).toEqual({
      status: 'raced',
      ourVersion: 1,
      liveVersion: 2,
      liveTag: 'other',
    })
  })

  test('a no-op deploy: the live candidate already holds this definition, and is what gets tested', () => {
    expect(judgeCandidateDeploy([row(4, 'earlier-run')], true, 'ours')).toEqual({ status: 'unchanged', version: 4 })
  })

  test('no version of ours after a deploy that said it deployed, or no version at all: unverified', () => {
    expect(judgeCandidateDeploy([row(4, 'earlier-run')], false, 'ours')).toMatchObject({ status: 'unverified' })
    expect(judgeCandidateDeploy([], true, 'ours')).toEqual({
      status: 'unverified',
      reason: 'the candidate app has no deployed version after the deploy',
    })
  })
})

describe('appNameOfDeployment', () => {
  test('the app a View Deployment link names, or null when it names none', () => {
    expect(appNameOfDeployment('https://modal.com/apps/acme/dev/deployed/llm-litellm-v1-candidate')).toBe('llm-litellm-v1-candidate')
    expect(appNameOfDeployment('https://modal.com/apps/acme/dev/deployed/a.b_c/')).toBe('a.b_c')
    expect(appNameOfDeployment(null)).toBeNull()
    expect(appNameOfDeployment('https://modal.com/apps/acme/dev')).toBeNull()
    expect(appNameOfDeployment('https://modal.com/apps/acme/dev/deployed/a b')).toBeNull()
  })
})
