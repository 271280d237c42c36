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

  test('--preview that is no pull request number is refused before Modal is asked', async () => {
    const modal = new FakeModal()
    const run = await runCli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--preview', '0'], { modal })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('preview must be true, false or a pull request number')
    expect(modal.requests).toEqual([])
  })

  test('--preview true outside a pull request event is ERR_PREVIEW_EVENT, with the fix in the CLI’s words', async () => {
    const modal = new FakeModal()
    const run = await runCli(['deploy', '--env', 'dev', '--ref', 'llm/litellm@1', '--preview', 'true'], {
      modal,
      env: { GITHUB_EVENT_NAME: 'push' },
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      "ERR_PREVIEW_EVENT: preview: true deploys a pull request's preview, but this step runs on the 'push' event",
    )
    expect(run.stderr).toContain('Fix: Give --preview the pull request number, e.g. --preview 42.')
    expect(modal.requests).toEqual([])
  })
})
