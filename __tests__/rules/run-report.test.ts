import { emptyReport, renderPlan, renderSummary, reportOutputs, type RunReport } from '../../src/rules/run-report.js'

function successReport(): RunReport {
  return {
    ...emptyReport(),
    processorRef: 'llm/litellm@1',
    imageRef: 'ghcr.io/acme/llm-litellm:1@sha256:' + 'ab'.repeat(32),
    imageDigest: 'sha256:' + 'ab'.repeat(32),
    environment: 'dev',
    appName: 'llm-litellm-v1',
    appId: 'ap-AmUrMShwH6lq419a6byM1n',
    tag: '3f2a1bc9d8e7-r1001.1',
    versionBefore: 3,
    versionAfter: 4,
    deployOutcome: 'deployed',
    dashboardUrl: 'https://modal.com/apps/acme/dev/deployed/llm-litellm-v1',
    mode: 'mock',
    smokeStatus: 'passed',
    smokeOutput: { content: 'hello' },
    secretsFound: ['REGISTRY_AUTH'],
    phases: [
      { phase: 'inputs', status: 'passed', durationMs: 3, detail: 'ok' },
      { phase: 'deploy', status: 'passed', durationMs: 4200, detail: 'tag x' },
    ],
    durationMs: 5100,
  }
}

describe('renderSummary', () => {
  test('a success says what is live, from which version, with links and phases', () => {
    const md = renderSummary(successReport())
    expect(md).toContain('## ✅ llm/litellm@1 deployed and smoke-tested on Modal `dev`')
    expect(md).toContain('| Version | v3 → v4 |')
    expect(md).toContain('[llm-litellm-v1](https://modal.com/apps/acme/dev/deployed/llm-litellm-v1)')
    expect(md).toContain('| deploy | ✅ passed | 4.2 s | tag x |')
    expect(md).toContain('"content": "hello"')
    expect(md).not.toContain('What to do')
  })

  test('a failure leads with the code and says what to do, with the command and output tail', () => {
    const report = { ...successReport(), smokeStatus: 'not-run' as const, smokeOutput: null }
    report.errors = [
      {
        code: 'ERR_DEPLOY_FAILED',
        message: 'modal deploy exited with code 1: boom | x',
        command: 'modal deploy -m modal_app',
        stderrTail: 'line 1\nline 2',
      },
    ]
    const md = renderSummary(report)
    expect(md).toContain('## ❌ llm/litellm@1 was not deployed cleanly: ERR_DEPLOY_FAILED')
    expect(md).toContain('**ERR_DEPLOY_FAILED**: modal deploy exited with code 1: boom \\| x')
    expect(md).toContain('Fix: modal deploy failed: the command, exit code and the end of its error output are in the message.')
    expect(md).toContain('  line 2')
  })

  test('an error with a fix of its own shows it in place of its code’s', () => {
    const report = { ...successReport(), smokeStatus: 'not-run' as const, smokeOutput: null }
    report.errors = [{ code: 'ERR_IMAGE_PULL_FAILED', message: 'the registry refused', fix: 'Check the REGISTRY_AUTH secret <now>' }]
    const md = renderSummary(report)
    expect(md).toContain('Fix: Check the REGISTRY\\_AUTH secret &lt;now&gt;')
    expect(md).not.toContain('Modal could not pull the image')
  })

  test('a no-op deploy and a call-only run say so', () => {
    expect(renderSummary({ ...successReport(), deployOutcome: 'unchanged', versionAfter: 3 })).toContain(
      'v3 (no changes, nothing redeployed)',
    )
    expect(renderSummary({ ...successReport(), deployOutcome: 'not-requested', versionAfter: 3 })).toContain('v3 (deploy: false)')
  })
})

describe('reportOutputs', () => {
  test('known values as strings, unknown ones empty, the failing phase and first code', () => {
    const report = successReport()
    report.clientPath = '/opt/hostedtoolcache/modal-processor-deploy/1.5.4/3.12.3/bin/modal'
    report.clientVersion = '1.5.4'
    report.phases.push({ phase: 'smoke', status: 'failed', durationMs: 1, detail: '' })
    report.errors = [{ code: 'ERR_SMOKE_FAILED', message: 'x' }]
    expect(reportOutputs(report)).toEqual({
      'app-name': 'llm-litellm-v1',
      'app-id': 'ap-AmUrMShwH6lq419a6byM1n',
      version: '4',
      'previous-version': '3',
      'deployed-version': '',
      'dashboard-url': 'https://modal.com/apps/acme/dev/deployed/llm-litellm-v1',
      'smoke-status': 'passed',
      'smoke-output': '{"content":"hello"}',
      'duration-ms': '5100',
      phase: 'smoke',
      'error-code': 'ERR_SMOKE_FAILED',
      'rolled-back': 'false',
      rollout: '',
      'candidate-status': 'not-run',
      'modal-path': '/opt/hostedtoolcache/modal-processor-deploy/1.5.4/3.12.3/bin/modal',
      'modal-version': '1.5.4',
    })
    expect(reportOutputs(emptyReport())['app-id']).toBe('')
    expect(reportOutputs(emptyReport())['modal-path']).toBe('')
  })
})

describe('the summary with hostile text', () => {
  test('stays under GitHub’s 1 MiB, however much failed', () => {
    const report = {
      ...successReport(),
      errors: Array.from({ length: 600 }, () => ({
        code: 'ERR_SMOKE_FAILED' as const,
        message: 'x'.repeat(100_000),
        stderrTail: 'y'.repeat(100_000),
      })),
    }
    const md = renderSummary(report)
    expect(md.length).toBeLessThanOrEqual(1_000_100)
    expect(md).toContain('The summary was cut at 1000000 characters.')
  })

  test('a dashboard URL that is not a plain web address is shown as text, not as a link', () => {
    const md = renderSummary({ ...successReport(), dashboardUrl: 'javascript:alert(1)' })
    expect(md).toContain('| App | `llm-litellm-v1`')
    expect(md).not.toContain('](javascript:')
  })
})

describe('renderPlan (a dry run)', () => {
  const dryRun = (changes: Partial<RunReport>): RunReport => ({ ...successReport(), dryRun: true, versionAfter: null, ...changes })

  test('names the live version it would replace', () => {
    expect(renderPlan(dryRun({}))).toContain('  with tag 3f2a1bc9d8e7-r1001.1, replacing the live version v3\n')
  })

  test('an app not deployed yet: the first version, and no version called none', () => {
    const plan = renderPlan(dryRun({ versionBefore: null }))
    expect(plan).toContain('  with tag 3f2a1bc9d8e7-r1001.1, as its first version (the app is not deployed yet)\n')
    expect(plan).not.toMatch(/\bnone\b/)
    const callOnly = renderPlan(dryRun({ versionBefore: null, tag: null }))
    expect(callOnly).toContain('  deploy nothing (deploy: false): call the live version of app llm-litellm-v1 in environment dev')
    expect(callOnly).not.toMatch(/\bnone\b/)
  })
})
