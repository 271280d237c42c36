// `modal-processor deploy --preview N`, in process: the action's flow with the preview's app name.
import { runCli } from '../support/cli-in-process.js'
import { FakeModal } from '../support/fake-modal.js'

describe('modal-processor deploy --preview', () => {
  test('--preview N deploys and smoke-tests <app>-pr<N>; the live app is untouched', async () => {
    const modal = new FakeModal().deployed('llm-litellm-v1', 'live')
    const run = await runCli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--preview', '5', '--json', '--quiet'], { modal })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, outputs: { 'app-name': 'llm-litellm-v1-pr5', 'smoke-status': 'passed' } })
    expect(modal.versions('llm-litellm-v1')).toEqual([1])
    expect(modal.versions('llm-litellm-v1-pr5')).toEqual([1])
  })

  // The action's preview: true (the event's number) and false have no meaning at a terminal: a number only.
  test.each(['0', 'true', 'false', '42abc', '99999999999'])('--preview %s is a usage error, before Modal is asked', async (value) => {
    const modal = new FakeModal()
    const run = await runCli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--preview', value], {
      modal,
      env: { GITHUB_EVENT_NAME: 'pull_request' },
    })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(`Error: --preview must be a pull request number, e.g. --preview 42, got '${value}'.`)
    expect(run.stderr).not.toContain('ERR_')
    expect(modal.requests).toEqual([])
  })
})
