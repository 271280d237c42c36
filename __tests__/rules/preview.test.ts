import { decidePreview, type PreviewContext } from '../../src/rules/preview.js'

function payload(action: string, head: string | null = 'acme/processors', extra: Record<string, unknown> = {}) {
  return {
    action,
    number: 42,
    pull_request: {
      number: 42,
      head: { sha: 'a'.repeat(40), repo: head === null ? null : { full_name: head } },
      base: { repo: { full_name: 'acme/processors' } },
    },
    ...extra,
  }
}

const context = (over: Partial<PreviewContext>): PreviewContext => ({
  eventName: 'pull_request',
  payload: payload('opened'),
  repository: 'acme/processors',
  modalTokenPresent: true,
  ...over,
})

describe('decidePreview', () => {
  test.each(['opened', 'synchronize', 'reopened'])('%s deploys the PR head', (action) => {
    expect(decidePreview(context({ payload: payload(action) }))).toEqual({ kind: 'deploy', pullRequest: 42, headSha: 'a'.repeat(40) })
  })

  test.each(['pull_request', 'pull_request_target'])('closed tears down on %s', (eventName) => {
    expect(decidePreview(context({ eventName, payload: payload('closed') }))).toEqual({ kind: 'teardown', pullRequest: 42 })
  })

  test.each([
    ['a fork', payload('opened', 'someone/processors'), 'the fork someone/processors'],
    ['a deleted fork', payload('opened', null), 'a deleted fork'],
    ['a closed fork PR', payload('closed', 'someone/processors'), 'the fork'],
    ['another action', payload('labeled'), 'was labeled'],
  ])('%s is skipped', (_, given, reason) => {
    const decision = decidePreview(context({ payload: given }))
    expect(decision).toMatchObject({ kind: 'skip', pullRequest: 42 })
    expect((decision as { reason: string }).reason).toContain(reason)
  })

  test('no Modal token is skipped, also on close', () => {
    for (const action of ['opened', 'closed']) {
      const decision = decidePreview(context({ payload: payload(action), modalTokenPresent: false }))
      expect(decision).toMatchObject({ kind: 'skip', reason: expect.stringContaining('no Modal token') })
    }
  })

  test.each(['push', 'workflow_dispatch', ''])('the %p event is refused, naming it', (eventName) => {
    const decision = decidePreview(context({ eventName }))
    expect(decision.kind).toBe('refuse')
    expect((decision as { message: string }).message).toContain(`'${eventName || '(none)'}' event`)
  })

  test.each([
    ['no payload', null],
    ['no number', { action: 'opened', pull_request: {} }],
    ['a number out of range', payload('opened', 'acme/processors', { number: 0 })],
    ['a number that is text', payload('opened', 'acme/processors', { number: '42' })],
    ['no action', { number: 42, pull_request: {} }],
  ])('%s is refused', (_, given) => {
    expect(decidePreview(context({ payload: given })).kind).toBe('refuse')
  })

  test('a hostile fork name is one bounded line', () => {
    const decision = decidePreview(context({ payload: payload('opened', `evil\n::error::x${'y'.repeat(500)}`) }))
    expect((decision as { reason: string }).reason).not.toContain('\n')
    expect((decision as { reason: string }).reason.length).toBeLessThan(600)
  })

  test('a head commit that is no sha is left out', () => {
    const given = payload('opened')
    given.pull_request.head.sha = 'not a sha'
    expect(decidePreview(context({ payload: given }))).toMatchObject({ kind: 'deploy', headSha: null })
  })
})
