// The shared session of a batch: one session for every client, kept open when a client closes, dropped (and closed)
// when it failed, but not for a request it merely refused.
import { SessionFailure } from '../../src/modal/session.js'
import { SharedSession } from '../../src/modal/shared-session.js'
import { FakeModal } from '../support/fake-modal.js'

const how = { timeoutMs: 1000 }

describe('SharedSession', () => {
  test('every client gets the one session; a client closing it leaves it open; the batch ends it', async () => {
    const modal = new FakeModal()
    const shared = new SharedSession(modal.connect)
    const first = await shared.connect(1000)
    await first.request('authenticate', {}, how)
    await first.close()
    const second = await shared.connect(1000)
    await second.request('authenticate', {}, how)
    expect(second.clientVersion).toBe('1.5.4')
    expect([modal.sessionsStarted, modal.sessionsClosed, shared.started]).toEqual([1, 0, 1])
    await shared.close()
    expect(modal.sessionsClosed).toBe(1)
    await shared.close()
    expect(modal.sessionsClosed).toBe(1)
  })

  test('a session that failed is closed and replaced; one that refused a request is kept', async () => {
    const modal = new FakeModal()
      .on(
        'environment',
        () => {
          throw new SessionFailure('refused', 'bad request', '')
        },
        1,
      )
      .hang('authenticate', 'timeout', 1)
    const shared = new SharedSession(modal.connect)
    const lease = await shared.connect(1000)
    await expect(lease.request('environment', { name: 'dev' }, how)).rejects.toMatchObject({ kind: 'refused' })
    await expect(lease.request('authenticate', {}, how)).rejects.toMatchObject({ kind: 'timeout' })
    expect(modal.sessionsClosed).toBe(1)
    await (await shared.connect(1000)).request('authenticate', {}, how)
    expect(modal.requests.map((r) => [r.label, r.session])).toEqual([
      ['environment', 1],
      ['authenticate', 1],
      ['authenticate', 2],
    ])
    expect(shared.started).toBe(2)
  })

  test('an error that is not a session failure leaves the session in place', async () => {
    const modal = new FakeModal().on(
      'authenticate',
      () => {
        throw new Error('a bug in the caller')
      },
      1,
    )
    const shared = new SharedSession(modal.connect)
    const lease = await shared.connect(1000)
    await expect(lease.request('authenticate', {}, how)).rejects.toThrow('a bug in the caller')
    await lease.request('authenticate', {}, how)
    expect([modal.sessionsStarted, modal.sessionsClosed]).toEqual([1, 0])
  })
})
