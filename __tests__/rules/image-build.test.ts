import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { ERROR_CATALOG } from '../../src/rules/errors.js'
import { IMAGE_FAILURE_SIGNATURES, judgeImageFailure, quotableLine, type ImageBuildFailure } from '../../src/rules/image-build.js'

const ID = 'im-AbCdEfGhIjKlMnOpQrStUv'
const REF = `ghcr.io/acme/llm-litellm:1@sha256:${'ab'.repeat(32)}`

function failure(buildLog: string[], more: Partial<ImageBuildFailure> = {}): ImageBuildFailure {
  return {
    imageId: ID,
    outcome: 'failed',
    serverText: null,
    buildLog: [`Building image ${ID}`, `=> Step 0: FROM ${REF}`, ...buildLog],
    ...more,
  }
}

describe('the signature table, row by row', () => {
  test('registry auth refused: ERR_IMAGE_PULL_FAILED with the REGISTRY_AUTH fix, each wording registries use', () => {
    const answers = [
      `Error: failed to pull ${REF}: unauthorized: authentication required`,
      'Error response from daemon: pull access denied for acme/llm-litellm, repository does not exist or may require docker login',
      'denied: requested access to the resource is denied',
      'Requesting bear token: invalid status code from registry 403 (Forbidden)',
      'failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized',
    ]
    for (const answer of answers) {
      const verdict = judgeImageFailure(failure([answer]))
      expect([answer, verdict.signature, verdict.code]).toEqual([answer, 'registry auth refused', 'ERR_IMAGE_PULL_FAILED'])
      expect(verdict.fix).toContain('REGISTRY_AUTH')
      expect(verdict.quoted).toEqual([answer])
    }
  })

  test("a build step's own refusals are not the registry's: no REGISTRY_AUTH advice for them", () => {
    for (const line of [
      "PermissionError: [Errno 13] Permission denied: '/usr/local/lib/python3.12/site-packages'",
      'curl: (22) The requested URL returned error: 401 Unauthorized',
      'npm ERR! 403 Forbidden - GET https://npm.example/pkg',
    ]) {
      expect([line, judgeImageFailure(failure([line])).signature]).toEqual([line, 'other build failure'])
    }
  })

  test('image or digest unknown: ERR_IMAGE_PULL_FAILED with the pinned-digest fix', () => {
    const answers = [
      `Error: failed to pull ${REF}: manifest unknown: manifest unknown`,
      `failed to resolve reference "${REF}": ${REF}: not found`,
      'Error response from daemon: manifest for ghcr.io/acme/llm-litellm:2 not found: manifest unknown',
      'name unknown: repository name not known to registry',
    ]
    for (const answer of answers) {
      const verdict = judgeImageFailure(failure([answer]))
      expect([answer, verdict.signature, verdict.code]).toEqual([answer, 'image or digest unknown', 'ERR_IMAGE_PULL_FAILED'])
      expect(verdict.fix).toContain('digest')
      expect(verdict.fix).not.toContain('REGISTRY_AUTH')
    }
  })

  test('no usable Python: ERR_IMAGE_BUILD_FAILED with the add_python fix (not an unknown image, despite "not found")', () => {
    for (const answer of [
      '/bin/sh: 1: python: not found',
      'exec: "python3": executable file not found in $PATH',
      '/usr/bin/env: python3: No such file or directory',
    ]) {
      const verdict = judgeImageFailure(failure(['=> Step 1: RUN python -m pip install --upgrade pip', answer]))
      expect([answer, verdict.signature, verdict.code]).toEqual([answer, 'no usable Python', 'ERR_IMAGE_BUILD_FAILED'])
      expect(verdict.fix).toContain('MODAL_ADD_PYTHON')
      expect(verdict.fix).toContain('add_python')
      expect(verdict.quoted).toEqual([answer])
    }
  })

  test('timeout: its own code, whatever the log says', () => {
    const verdict = judgeImageFailure(failure(['Copying blob sha256:1234 unauthorized'], { outcome: 'timed-out' }))
    expect([verdict.signature, verdict.code, verdict.fix]).toEqual(['timeout', 'ERR_IMAGE_BUILD_TIMEOUT', null])
    expect(verdict.message).toContain('time limit')
  })

  test('terminated: its own code; the server’s text is quoted', () => {
    const verdict = judgeImageFailure(failure([], { outcome: 'terminated', serverText: 'builder worker lost' }))
    expect([verdict.signature, verdict.code, verdict.fix]).toEqual(['terminated', 'ERR_IMAGE_BUILD_INTERRUPTED', null])
    expect(verdict.quoted).toEqual(['builder worker lost'])
  })

  test('anything else: ERR_IMAGE_BUILD_FAILED with the image id, the last lines and the modal image logs command', () => {
    const verdict = judgeImageFailure(
      failure([
        '=> Step 2: RUN chmod +x /app/run',
        'chmod: changing permissions of /app/run: Permission denied',
        'Terminating task due to error',
      ]),
    )
    expect([verdict.signature, verdict.code, verdict.fix]).toEqual(['other build failure', 'ERR_IMAGE_BUILD_FAILED', null])
    expect(verdict.message).toBe(
      [
        `modal deploy failed: the image build failed (image ${ID}).`,
        'Build log:',
        '  => Step 2: RUN chmod +x /app/run',
        '  chmod: changing permissions of /app/run: Permission denied',
        '  Terminating task due to error',
        `The whole build log: modal image logs ${ID}`,
      ].join('\n'),
    )
  })

  test('the server’s text alone can decide, and is what is quoted when nothing matches', () => {
    expect(judgeImageFailure({ imageId: ID, outcome: 'failed', serverText: 'pull access denied', buildLog: [] }).code).toBe(
      'ERR_IMAGE_PULL_FAILED',
    )
    const other = judgeImageFailure(failure(['a line'], { serverText: 'Internal server error.' }))
    expect([other.code, other.quoted]).toEqual(['ERR_IMAGE_BUILD_FAILED', ['Internal server error.']])
  })

  test('every row names a catalogued code; rows with a fix of their own say something the catalogue does not', () => {
    for (const row of IMAGE_FAILURE_SIGNATURES) {
      expect(ERROR_CATALOG[row.code].phase).toBe('deploy')
      if (row.fix !== null) expect(row.fix).not.toBe(ERROR_CATALOG[row.code].fix)
    }
    expect(IMAGE_FAILURE_SIGNATURES.at(-1)).toMatchObject({ patterns: [], outcome: 'failed' })
  })
})

describe('what is quoted from the build log (untrusted text)', () => {
  test('every message names the image and the command for its whole log', () => {
    for (const outcome of ['failed', 'timed-out', 'terminated'] as const) {
      const verdict = judgeImageFailure(failure([], { outcome }))
      expect(verdict.message).toContain(`(image ${ID})`)
      expect(verdict.message).toContain(`modal image logs ${ID}`)
    }
  })

  test('at most three lines, each bounded, without escapes, control characters or line breaks', () => {
    const hostile = `\x1b[31mdenied: \x1b]8;;http://x\x07link\u2028::error::forged\r${'x'.repeat(1000)}`
    const verdict = judgeImageFailure(failure(Array.from({ length: 10 }, (_, i) => `${i} ${hostile}`)))
    expect(verdict.quoted).toHaveLength(3)
    expect(verdict.quoted[0].startsWith('7 denied: ')).toBe(true)
    for (const line of verdict.quoted) {
      expect(line.length).toBeLessThanOrEqual(301)
      // eslint-disable-next-line no-control-regex
      expect(line).not.toMatch(/[\x00-\x1f\x7f\u2028]/)
    }
    expect(verdict.message.split('\n').every((line) => !line.startsWith('::'))).toBe(true)
  })

  test('quotableLine keeps plain text as it is', () => {
    expect(quotableLine('  Error: manifest unknown  ')).toBe('Error: manifest unknown')
  })
})

describe('a phrase the real client never prints', () => {
  test("'Image pull failed' is only the seed's name for the problem, in the README's troubleshooting table", () => {
    const root = path.resolve(import.meta.dirname, '..', '..')
    const code = ['src', 'modal-session', 'local-adapter', 'modal', 'scripts', 'testing', 'processors', 'integrations'].flatMap((dir) =>
      readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
        .map((file) => path.join(dir, file))
        .filter((file) => statSync(path.join(root, file)).isFile() && !file.includes('__pycache__')),
    )
    const naming = [...code, 'README.md', 'action.yml'].filter((file) =>
      readFileSync(path.join(root, file), 'utf8').includes('Image pull failed'),
    )
    expect(naming).toEqual(['README.md'])
    const lines = readFileSync(path.join(root, 'README.md'), 'utf8').split('\n')
    expect(lines.filter((line) => line.includes('Image pull failed'))).toEqual([
      expect.stringMatching(/^\| Image pull failed \(`ERR_IMAGE_PULL_FAILED`\) \|/),
    ])
  })
})
