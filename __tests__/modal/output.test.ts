import {
  classifyDeployFailure,
  classifyReadFailure,
  errorPanelMessage,
  failureText,
  isTransient,
  jsonKey,
  parseDeployOutput,
  parseHistory,
  readImageBuildFailure,
  tail,
} from '../../src/modal/output.js'

const panel = (lines: string[]) =>
  [
    '╭─ Error ──────────────────────────────────────────────────────────────────────╮',
    ...lines.map((l) => `│ ${l.padEnd(76)} │`),
    '╰──────────────────────────────────────────────────────────────────────────────╯',
  ].join('\n')

describe('errorPanelMessage', () => {
  test('unwraps an 80-column panel into one paragraph per blank line', () => {
    const stderr = panel([
      'Token missing. Could not authenticate client. If you have token credentials,',
      'see modal.com/docs/sdk/py/latest/config for setup help.',
      '',
      'Note: second paragraph',
    ])
    expect(errorPanelMessage(stderr)).toBe(
      'Token missing. Could not authenticate client. If you have token credentials, see modal.com/docs/sdk/py/latest/config for setup help.\n\nNote: second paragraph',
    )
  })

  test('ignores warning panels and returns null without an Error panel', () => {
    expect(errorPanelMessage('╭─ Modal Warning ─╮\n│ careful │\n╰─╯')).toBeNull()
  })
})

describe('parseDeployOutput', () => {
  const success = [
    '✓ Created objects.',
    '├── 🔨 Created mount /work/modal/modal_app.py',
    '└── 🔨 Created function run.',
    '✓ App deployed in 4.321s! 🎉',
    '',
    'View Deployment: https://modal.com/apps/acme/dev/deployed/llm-litellm-v1',
  ].join('\n')

  test('reads the dashboard URL and the functions', () => {
    expect(parseDeployOutput(success)).toEqual({ skipped: false, dashboardUrl: 'https://modal.com/apps/acme/dev/deployed/llm-litellm-v1' })
  })

  test('the client’s closing lines win over look-alikes printed earlier by the module', () => {
    const spoofed = `View Deployment: https://evil.example/x\n✓ Deployment skipped: no changes detected! ⏭️\n${success}`
    expect(parseDeployOutput(spoofed)).toEqual({ skipped: false, dashboardUrl: 'https://modal.com/apps/acme/dev/deployed/llm-litellm-v1' })
  })

  test('recognises a no-op deploy', () => {
    const noop = success.replace('App deployed in 4.321s! 🎉', 'Deployment skipped: no changes detected! ⏭️')
    expect(parseDeployOutput(noop).skipped).toBe(true)
  })
})

describe('parseHistory', () => {
  test('accepts snake_case keys (client ≥1.5) and sorts newest first', () => {
    const json = JSON.stringify([
      { version: 'v1', time_deployed: '2026-11-01 10:00:00+00:00', client: '1.5.4', deployed_by: 'ci', commit: null, tag: 'a' },
      { version: 'v2', time_deployed: '2026-11-02 10:00:00+00:00', client: '1.5.4', deployed_by: 'ci', commit: null, tag: 'b' },
    ])
    expect(parseHistory(json)).toEqual([
      { version: 2, tag: 'b', timeDeployed: '2026-11-02 10:00:00+00:00', deployedBy: 'ci' },
      { version: 1, tag: 'a', timeDeployed: '2026-11-01 10:00:00+00:00', deployedBy: 'ci' },
    ])
  })

  test('accepts the Title Case keys of clients before 1.5 and a missing Tag column', () => {
    const json = JSON.stringify([
      { Version: 'v7', 'Time deployed': '2026-06-01 01:51:22-04:00', Client: '1.4.2', 'Deployed by': 'alice', Commit: 'abc1234' },
    ])
    expect(parseHistory(json)).toEqual([{ version: 7, tag: null, timeDeployed: '2026-06-01 01:51:22-04:00', deployedBy: 'alice' }])
  })

  test('rejects garbage', () => {
    expect(() => parseHistory('@@ not json')).toThrow()
    expect(() => parseHistory('{"version":"v1"}')).toThrow('expected a JSON list of objects')
    expect(() => parseHistory('[{"version":"1"}]')).toThrow('history row without a version')
  })

  test('jsonKey matches the client’s _col_name_to_json_key', () => {
    expect(jsonKey('App ID')).toBe('app_id')
    expect(jsonKey('web suffix')).toBe('web_suffix')
    expect(jsonKey('Last used at')).toBe('last_used_at')
  })
})

describe('readImageBuildFailure', () => {
  const ID = 'im-AbCdEfGhIjKlMnOpQrStUv'
  const stdout = [
    'a line the module printed',
    'Building image im-BaseBaseBaseBaseBaseBa',
    'Built image im-BaseBaseBaseBaseBaseBa in 1.00s',
    `Building image ${ID}`,
    '',
    '=> Step 0: FROM ghcr.io/acme/llm-litellm:1@sha256:abc',
    '\x1b[31mError: pull access denied\x1b[0m',
  ].join('\n')

  test('the client’s “failed.” panel: the id, and the build-log lines of that image only', () => {
    const stderr = panel([`Image build for ${ID} failed.`, 'View the build logs:', `  modal image logs ${ID}`])
    expect(readImageBuildFailure(stdout, stderr)).toEqual({
      imageId: ID,
      outcome: 'failed',
      serverText: null,
      buildLog: [`Building image ${ID}`, '=> Step 0: FROM ghcr.io/acme/llm-litellm:1@sha256:abc', 'Error: pull access denied'],
    })
  })

  test('the “with the exception” panel carries the server’s text, even wrapped at 80 columns', () => {
    const stderr = panel([
      `Image build for ${ID} failed with the exception:`,
      'failed to resolve reference',
      '"ghcr.io/acme/x:1": not found',
    ])
    expect(readImageBuildFailure('', stderr)).toMatchObject({
      outcome: 'failed',
      serverText: 'failed to resolve reference "ghcr.io/acme/x:1": not found',
      buildLog: [],
    })
  })

  test.each([
    [`Image build for ${ID} timed out. Please try again with a larger \`timeout\` parameter.`, 'timed-out', null],
    [`Image build for ${ID} terminated due to external shut-down. Please try again.`, 'terminated', null],
    [`Image build for ${ID} terminated due to external shut-down with the exception:\nworker lost`, 'terminated', 'worker lost'],
  ])('%s', (message, outcome, serverText) => {
    expect(readImageBuildFailure('', panel(message.split('\n')))).toMatchObject({ imageId: ID, outcome, serverText })
  })

  test('without its own “Building image” line, the last lines of the output are the build log', () => {
    const stderr = panel([`Image build for ${ID} failed.`])
    const many = Array.from({ length: 300 }, (_, i) => `line ${i}`).join('\n')
    const read = readImageBuildFailure(many, stderr)!
    expect(read.buildLog).toHaveLength(200)
    expect(read.buildLog.at(-1)).toBe('line 299')
  })

  test('other failures, and the phrase outside the panel, are not image builds', () => {
    expect(readImageBuildFailure(stdout, panel(["Secret 'X' not found in environment 'dev'."]))).toBeNull()
    expect(readImageBuildFailure(`Image build for ${ID} failed.`, 'Traceback (most recent call last):')).toBeNull()
  })
})

describe('classifyDeployFailure', () => {
  test.each([
    ['ERR_MISSING_SECRET', panel(["Secret 'OPENAI_API_KEY' not found in environment 'dev'."])],
    ['ERR_SECRET_MISSING_KEYS', panel(['Secret is missing key(s): REGISTRY_PASSWORD'])],
    ['ERR_ENVIRONMENT_NOT_FOUND', panel(["Environment 'nope' not found"])],
    ['ERR_MODAL_TOKEN_MISSING', panel(['Token missing. Could not authenticate client.'])],
    [
      'ERR_MODULE_IMPORT_FAILED',
      '╭─── Traceback (most recent call last) ───╮\n│ modal_app.py:3 │\n╰────╯\nModuleNotFoundError: No module named x',
    ],
    ['ERR_DEPLOY_FAILED', panel(['Something else went wrong'])],
  ])('%s', (code, stderr) => {
    expect(classifyDeployFailure(stderr)).toBe(code)
  })
})

describe('classifyReadFailure (modal app logs)', () => {
  test.each([
    ['ERR_ENVIRONMENT_NOT_FOUND', panel(["Environment 'prod' not found"])],
    ['ERR_FUNCTION_NOT_FOUND', panel(["No App with name 'llm-litellm-v1' found in the 'dev' environment."])],
    ['ERR_MODAL_TOKEN_MISSING', panel(['Token missing. Could not authenticate client.'])],
    ['ERR_MODAL_TOKEN_MISSING', panel(["Modal profile 'ci' was not found in /root/.modal.toml."])],
    ['ERR_MODAL_TOKEN_REJECTED', panel(['Token ID is malformed'])],
    ['ERR_MODAL_TOKEN_REJECTED', panel(['Invalid token ID or secret.'])],
    // A secret named like an environment message is not one (the pattern is anchored).
    ['ERR_PREFLIGHT_FAILED', panel(["Secret 'Environment 'x' not found' is odd"])],
    ['ERR_PREFLIGHT_FAILED', 'Traceback (most recent call last):\nRuntimeError: boom'],
  ])('%s', (code, stderr) => {
    expect(classifyReadFailure(stderr)).toBe(code)
  })

  test('a rejected token fails a deploy as it fails the preflight', () => {
    expect(classifyDeployFailure(panel(['Token secret is malformed']))).toBe('ERR_MODAL_TOKEN_REJECTED')
  })
})

describe('failureText', () => {
  test("a 1000-column panel becomes its message; other output its last lines, without the boxes' drawing", () => {
    const wide = `╭─ Error ${'─'.repeat(990)}╮\n│ Environment 'prod' not found${' '.repeat(969)}│\n╰${'─'.repeat(997)}╯\n`
    expect(failureText(wide)).toBe("Environment 'prod' not found")
    const warning = `╭─ Modal Warning ${'─'.repeat(980)}╮\n│ careful${' '.repeat(988)}│\n╰${'─'.repeat(997)}╯\n`
    expect(failureText(warning)).toBe('Modal Warning\ncareful')
    expect(failureText('')).toBe('no error output')
  })
})

describe('isTransient and tail', () => {
  test('transient failures are recognised, permanent ones are not', () => {
    expect(isTransient('Could not connect to the Modal server.')).toBe(true)
    expect(isTransient('grpc status UNAVAILABLE')).toBe(true)
    expect(isTransient('Deadline exceeded')).toBe(true)
    expect(isTransient("Secret 'X' not found in environment 'dev'")).toBe(false)
  })

  test('tail bounds lines and characters', () => {
    expect(tail('a\nb\nc\n', 2)).toBe('b\nc')
    expect(tail('x'.repeat(50), 5, 10)).toBe('…' + 'x'.repeat(10))
  })

  test("tail cuts a 1000-column panel's padding and borders down to its text", () => {
    const width = 1000
    const panel = [
      `╭─ Error ${'─'.repeat(width - 10)}╮`,
      `│ Image build for im-abc failed.${' '.repeat(width - 34)} │`,
      `╰${'─'.repeat(width - 2)}╯`,
    ].join('\n')
    expect(tail(panel)).toBe(['╭─ Error ───╮', '│ Image build for im-abc failed. │', '╰───╯'].join('\n'))
  })
})
