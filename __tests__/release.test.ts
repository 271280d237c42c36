// scripts/release.mjs, run the way release.yml runs it: in a git checkout of the tagged commit whose `origin` is a bare
// repository made here, against the GitHub API on loopback. Only the dist/ check is a stand-in command (a real one
// bundles the whole action), so the tests see what a maintainer would: the release, its body, where the major tag is,
// and the annotations.
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseWorkflowCommands, type Annotation } from '../testing/harness/github-runner.mjs'
import { RELEASE_ERRORS, changelogSection, compareVersions, parseArguments, parseVersionTag, release } from '../scripts/release.mjs'
import { githubError, startFakeGitHubApi, type FakeGitHubApi } from './support/fake-github-api.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const TOKEN = 'ghs_releaseTokenForTests'
const REPOSITORY = 'acme/modal-processor-deploy'
const FRESH = ['true']
const STALE = [process.execPath, '-e', "console.error('dist/ is not the bundle of src/: dist/main.cjs differ.'); process.exit(1)"]

const gitEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@example.com',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@example.com',
}

function git(cwd: string, ...args: string[]): string {
  const run = spawnSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`)
  return run.stdout.trim()
}

function changelog(...versions: string[]): string {
  const sections = versions.map((v) => `## [${v}] - 2026-11-30\n\n### Fixed\n\n- Fix number ${v}.\n`)
  return `# Changelog\n\n## [Unreleased]\n\n${sections.join('\n')}\n[Unreleased]: https://github.com/${REPOSITORY}/compare/v1...HEAD\n`
}

let template: string
let tmp: string
let work: string
let origin: string
let api: FakeGitHubApi

/**
 * Commits a version (by default with its changelog section and package.json version), tags it vX.Y.Z, and gives
 * origin the branch and the tag, as a push would (origin reads the checkout's objects, so no push is needed).
 */
function commitVersion(version: string, files: { changelog?: string; changelogLink?: string; packageVersion?: string } = {}): string {
  rmSync(path.join(work, 'CHANGELOG.md'), { force: true })
  if (files.changelogLink) symlinkSync(files.changelogLink, path.join(work, 'CHANGELOG.md'))
  else writeFileSync(path.join(work, 'CHANGELOG.md'), files.changelog ?? changelog(version))
  writeFileSync(
    path.join(work, 'package.json'),
    `${JSON.stringify({ name: 'modal-processor-deploy', version: files.packageVersion ?? version }, null, 2)}\n`,
  )
  git(work, 'add', '.')
  git(work, 'commit', '-q', '-m', `Release ${version}`)
  git(work, 'tag', '-a', `v${version}`, '-m', `v${version}`)
  const sha = git(work, 'rev-parse', 'HEAD')
  git(origin, 'update-ref', 'refs/heads/main', sha)
  git(origin, 'update-ref', `refs/tags/v${version}`, git(work, 'rev-parse', `refs/tags/v${version}`))
  return sha
}

/** Where a tag of origin points (peeled to its commit), or null. */
function originTag(name: string): string | null {
  const run = spawnSync('git', ['rev-parse', '--verify', '-q', `refs/tags/${name}^{commit}`], {
    cwd: origin,
    env: gitEnv,
    encoding: 'utf8',
  })
  return run.status === 0 ? run.stdout.trim() : null
}

function setOriginTag(name: string, sha: string): void {
  git(origin, 'update-ref', `refs/tags/${name}`, sha)
}

interface Run {
  code: number
  stdout: string
  errors: Annotation[]
  notices: Annotation[]
}

async function runRelease(tag: string, sha: string, options: { distCheck?: string[]; apiTimeoutMs?: number } = {}): Promise<Run> {
  let stdout = ''
  const code = await release({
    env: { GITHUB_REF_NAME: tag, GITHUB_SHA: sha, GITHUB_REPOSITORY: REPOSITORY, GITHUB_API_URL: api.url, GITHUB_TOKEN: TOKEN },
    cwd: work,
    distCheck: options.distCheck ?? FRESH,
    write: (text) => void (stdout += text),
    apiTimeoutMs: options.apiTimeoutMs,
  })
  const { annotations } = parseWorkflowCommands(stdout)
  expect(stdout).not.toContain(TOKEN)
  return {
    code,
    stdout,
    errors: annotations.filter((a) => a.level === 'error'),
    notices: annotations.filter((a) => a.level === 'notice'),
  }
}

const titles = (annotations: Annotation[]) => annotations.map((a) => a.title)

// Each test starts from a copy of an empty checkout and its origin (git is slow to start on a busy machine).
beforeAll(() => {
  template = mkdtempSync(path.join(os.tmpdir(), 'release-template-'))
  git(template, 'init', '-q', '--bare', '-b', 'main', 'origin.git')
  git(template, 'init', '-q', '-b', 'main', 'work')
  git(path.join(template, 'work'), 'remote', 'add', 'origin', '../origin.git')
})

afterAll(() => rmSync(template, { recursive: true, force: true }))

beforeEach(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'release-test-'))
  cpSync(template, tmp, { recursive: true })
  origin = path.join(tmp, 'origin.git')
  work = path.join(tmp, 'work')
  writeFileSync(path.join(origin, 'objects', 'info', 'alternates'), `${path.join(work, '.git', 'objects')}\n`)
  api = await startFakeGitHubApi()
})

afterEach(async () => {
  await api.close()
  rmSync(tmp, { recursive: true, force: true })
})

describe('a good tag', () => {
  test('creates the release with the changelog section as its body and moves v1 to the commit', async () => {
    const previous = commitVersion('1.2.2')
    setOriginTag('v1', previous)
    const sha = commitVersion('1.2.3', { changelog: changelog('1.2.3', '1.2.2') })

    const run = await runRelease('v1.2.3', sha)

    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(api.releases).toEqual([
      expect.objectContaining({ tag_name: 'v1.2.3', name: 'v1.2.3', prerelease: false, body: '### Fixed\n\n- Fix number 1.2.3.' }),
    ])
    expect(api.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`)
    // The release is of the checked commit, never of a tag GitHub would create on the default branch's tip.
    expect(api.requests[0].body).toEqual(expect.objectContaining({ make_latest: 'true', target_commitish: sha }))
    expect(originTag('v1')).toBe(sha)
    expect(originTag('v1.2.3')).toBe(sha)
    expect(run.notices[0].message).toContain(`v1 points at ${sha}`)
    expect(run.stdout).toContain(`Moved v1 to ${sha} (was ${previous})`)
  })

  test('the checks alone (the early job) change nothing and need no token', async () => {
    const sha = commitVersion('1.2.3')
    let stdout = ''
    const code = await release({
      checkOnly: true,
      env: { GITHUB_REF_NAME: 'v1.2.3', GITHUB_SHA: sha, GITHUB_REPOSITORY: REPOSITORY },
      cwd: work,
      distCheck: FRESH,
      write: (text) => void (stdout += text),
    })
    expect(code).toBe(0)
    expect(stdout).toContain(`v1.2.3 at ${sha}: CHANGELOG.md, package.json, released versions and dist/ checked.`)
    expect(api.requests).toEqual([])
    expect(originTag('v1')).toBeNull()
  })

  test('the last section of the changelog stops before the link definitions', async () => {
    const sha = commitVersion('1.0.0')
    expect((await runRelease('v1.0.0', sha)).code).toBe(0)
    expect(api.releases[0].body).toBe('### Fixed\n\n- Fix number 1.0.0.')
  })

  test('the first release of a new major creates its major tag and leaves the old one', async () => {
    const v1 = commitVersion('1.4.0')
    setOriginTag('v1', v1)
    const sha = commitVersion('2.0.0')

    const run = await runRelease('v2.0.0', sha)

    expect(run.code).toBe(0)
    expect(originTag('v2')).toBe(sha)
    expect(originTag('v1')).toBe(v1)
    expect(run.stdout).toContain(`Moved v2 to ${sha} (new major tag)`)
  })

  test('a prerelease is published as one and does not move the major tag', async () => {
    const v1 = commitVersion('1.2.3')
    setOriginTag('v1', v1)
    const sha = commitVersion('1.3.0-rc.1')

    const run = await runRelease('v1.3.0-rc.1', sha)

    expect(run.code).toBe(0)
    expect(api.releases).toEqual([expect.objectContaining({ tag_name: 'v1.3.0-rc.1', prerelease: true })])
    expect(api.requests[0].body).toEqual(expect.objectContaining({ make_latest: 'false' }))
    expect(originTag('v1')).toBe(v1)
    expect(run.notices[0].message).toContain('v1 was not moved')
  })

  test('a re-run updates the release that exists instead of failing, and leaves v1 where it is', async () => {
    const sha = commitVersion('1.2.3')
    expect((await runRelease('v1.2.3', sha)).code).toBe(0)
    api.releases[0].body = 'edited by hand'

    const rerun = await runRelease('v1.2.3', sha)

    expect(rerun.errors).toEqual([])
    expect(rerun.code).toBe(0)
    expect(api.releases).toHaveLength(1)
    expect(api.releases[0].body).toBe('### Fixed\n\n- Fix number 1.2.3.')
    expect(rerun.stdout).toContain('Updated (it existed) the GitHub release v1.2.3')
    expect(rerun.stdout).toContain(`v1 already points at ${sha}`)
  })
})

describe('refused before anything changes', () => {
  /** Nothing reached the GitHub API and origin's tags are the ones given. */
  function expectNothingChanged(tags: Record<string, string | null>): void {
    expect(api.requests).toEqual([])
    for (const [name, sha] of Object.entries(tags)) expect(originTag(name)).toBe(sha)
  }

  test('a tag that is not semver', async () => {
    const sha = commitVersion('1.2.3')
    for (const tag of ['v1.2', 'v1', 'v01.2.3', 'v1.2.3+build.5', 'v1.2.3-']) {
      const run = await runRelease(tag, sha)
      expect(run.code).toBe(1)
      expect(titles(run.errors)).toEqual(['ERR_RELEASE_TAG_NOT_SEMVER'])
      expect(run.errors[0].message).toContain(`The tag ${tag} is not a version tag`)
      expect(run.errors[0].message).toContain('Fix: Delete the tag')
    }
    expectNothingChanged({ v1: null })
  })

  test('an old run of a tag that was pushed again, or deleted, since it started', async () => {
    const v1 = commitVersion('1.2.2')
    setOriginTag('v1', v1)
    const old = commitVersion('1.2.3')
    // The tag is deleted and pushed again on a fix, as the refusals' own fixes say to do.
    writeFileSync(path.join(work, 'README.md'), 'fixed\n')
    git(work, 'add', '.')
    git(work, 'commit', '-q', '-m', 'fix')
    const fresh = git(work, 'rev-parse', 'HEAD')
    setOriginTag('v1.2.3', fresh)
    git(work, 'checkout', '-q', old) // the old run's checkout
    const moved = await runRelease('v1.2.3', old)
    expect([moved.code, titles(moved.errors)]).toEqual([1, ['ERR_RELEASE_CHECKOUT']])
    expect(moved.errors[0].message).toContain(`v1.2.3 points at ${fresh} in origin now, not at ${old}`)
    git(origin, 'update-ref', '-d', 'refs/tags/v1.2.3')
    const deleted = await runRelease('v1.2.3', old)
    expect(deleted.errors[0].message).toContain('v1.2.3 is not in origin any more')
    expectNothingChanged({ v1 })
  })

  test('a changelog without a section for the version', async () => {
    const v1 = commitVersion('1.2.2')
    setOriginTag('v1', v1)
    const sha = commitVersion('1.2.3', { changelog: changelog('1.2.2') })
    const run = await runRelease('v1.2.3', sha)
    expect(run.code).toBe(1)
    expect(titles(run.errors)).toEqual(['ERR_RELEASE_CHANGELOG'])
    expect(run.errors[0].message).toContain('CHANGELOG.md at v1.2.3: it has no section "## [1.2.3] - YYYY-MM-DD"')
    expectNothingChanged({ v1 })
  })

  test('a changelog that is a symlink or larger than 1 MiB is refused, never followed nor read whole', async () => {
    const linked = commitVersion('1.2.3', { changelogLink: path.join(root, 'CHANGELOG.md') })
    const link = await runRelease('v1.2.3', linked)
    expect(titles(link.errors)).toEqual(['ERR_RELEASE_CHANGELOG'])
    expect(link.errors[0].message).toContain('CHANGELOG.md at v1.2.3: it is a symbolic link, not a regular file.')
    const huge = commitVersion('1.2.4', { changelog: `${changelog('1.2.4')}${'x'.repeat(1024 * 1024)}` })
    const big = await runRelease('v1.2.4', huge)
    expect(titles(big.errors)).toEqual(['ERR_RELEASE_CHANGELOG'])
    expect(big.errors[0].message).toContain('CHANGELOG.md at v1.2.4: it is larger than 1048576 bytes.')
    expectNothingChanged({ v1: null })
  })

  test('a changelog whose heading for the version is not in the Keep a Changelog form says which heading', async () => {
    const sha = commitVersion('1.2.3', { changelog: '# Changelog\n\n## 1.2.3 (2026-11-30)\n\n- A fix.\n' })
    const run = await runRelease('v1.2.3', sha)
    expect(run.errors[0].message).toContain('its heading "## 1.2.3 (2026-11-30)" is not "## [1.2.3] - YYYY-MM-DD"')
    expectNothingChanged({ v1: null })
  })

  test('a changelog code fence that is never closed: its own code, naming the fence, instead of a swallowed changelog', async () => {
    const text = '# Changelog\n\n## [1.2.3] - 2026-11-30\n\n- A fix:\n\n  ````sh\n  ```\n\n## [1.2.2] - 2026-11-01\n\n- Old.\n'
    const sha = commitVersion('1.2.3', { changelog: text })
    const run = await runRelease('v1.2.3', sha)
    expect(run.code).toBe(1)
    expect(titles(run.errors)).toEqual(['ERR_RELEASE_CHANGELOG_FENCE'])
    expect(run.errors[0].message).toContain(
      'CHANGELOG.md at v1.2.3: the code fence ```` opened on line 7, in the section "## [1.2.3] - 2026-11-30", is never closed.',
    )
    expectNothingChanged({ v1: null })
  })

  test('a package.json version that is not the tag', async () => {
    const sha = commitVersion('1.2.3', { packageVersion: '1.2.2' })
    const run = await runRelease('v1.2.3', sha)
    expect(run.code).toBe(1)
    expect(titles(run.errors)).toEqual(['ERR_RELEASE_VERSION_MISMATCH'])
    expect(run.errors[0].message).toContain('package.json at v1.2.3 gives version 1.2.2, the tag 1.2.3.')
    expectNothingChanged({ v1: null })
  })

  test('a major behind the current major tag', async () => {
    const v2 = commitVersion('2.0.0')
    setOriginTag('v2', v2)
    const sha = commitVersion('1.4.0')
    const run = await runRelease('v1.4.0', sha)
    expect(run.code).toBe(1)
    expect(titles(run.errors)).toEqual(['ERR_RELEASE_VERSION_BEHIND'])
    expect(run.errors[0].message).toContain('v1.4.0 is behind what is released: the major tag v2 exists')
    expectNothingChanged({ v1: null, v2 })
    // The newest major is named by number: v10 after v9.
    setOriginTag('v9', v2)
    setOriginTag('v10', v2)
    expect((await runRelease('v1.4.0', sha)).errors[0].message).toContain('the major tag v10 exists')
  })

  test('a version lower than one tagged already (which would move v1 back)', async () => {
    const newer = commitVersion('1.4.0')
    setOriginTag('v1', newer)
    const sha = commitVersion('1.3.5')
    const run = await runRelease('v1.3.5', sha)
    expect(titles(run.errors)).toEqual(['ERR_RELEASE_VERSION_BEHIND'])
    expect(run.errors[0].message).toContain('v1.4.0 is tagged already')
    expectNothingChanged({ v1: newer })
  })

  test('a stale dist/, with the output of the check', async () => {
    const sha = commitVersion('1.2.3')
    const run = await runRelease('v1.2.3', sha, { distCheck: STALE })
    expect(run.code).toBe(1)
    expect(titles(run.errors)).toEqual(['ERR_RELEASE_DIST_STALE'])
    expect(run.errors[0].message).toContain('dist/ at v1.2.3 is not the bundle of src/')
    expect(run.errors[0].message).toContain('dist/main.cjs differ')
    expect(run.errors[0].message).toContain('Fix: Run npm run build, commit dist/')
    expectNothingChanged({ v1: null })
  })

  test('every problem at once', async () => {
    const sha = commitVersion('1.2.3', { changelog: changelog('1.2.2'), packageVersion: '1.2.2' })
    const run = await runRelease('v1.2.3', sha, { distCheck: STALE })
    expect(titles(run.errors)).toEqual(['ERR_RELEASE_CHANGELOG', 'ERR_RELEASE_VERSION_MISMATCH', 'ERR_RELEASE_DIST_STALE'])
    for (const error of run.errors) expect(error.message).toMatch(/^Nothing was changed\. /)
    expectNothingChanged({ v1: null })
  })

  test('a checkout that is not the tagged commit', async () => {
    const sha = commitVersion('1.2.3')
    git(work, 'commit', '-q', '--allow-empty', '-m', 'later')
    const run = await runRelease('v1.2.3', sha)
    expect(titles(run.errors)).toEqual(['ERR_RELEASE_CHECKOUT'])
    expectNothingChanged({ v1: null })
  })
})

describe('a failure after the checks says what was done and what was not', () => {
  test('the API refusing the release: nothing was changed, and its message cannot issue a workflow command', async () => {
    const v1 = commitVersion('1.2.2')
    setOriginTag('v1', v1)
    const sha = commitVersion('1.2.3')
    api.override(() => githubError(500, 'Server Error\n::warning title=injected::from the API\r\n::add-mask::x'))

    const run = await runRelease('v1.2.3', sha)

    expect(run.code).toBe(1)
    expect(titles(run.errors)).toEqual(['ERR_RELEASE_API'])
    expect(run.errors[0].message).toContain('Nothing was changed: the release v1.2.3 was not created and v1 was not moved.')
    expect(run.errors[0].message).toContain(`POST /repos/${REPOSITORY}/releases answered 500: Server Error\n::warning title=injected::`)
    expect(parseWorkflowCommands(run.stdout).annotations).toHaveLength(1)
    expect(parseWorkflowCommands(run.stdout).masks).toEqual([])
    expect(originTag('v1')).toBe(v1)
  })

  test('an API that does not answer in time', async () => {
    const sha = commitVersion('1.2.3')
    api.override(() => 'no answer')
    const run = await runRelease('v1.2.3', sha, { apiTimeoutMs: 300 })
    expect(titles(run.errors)).toEqual(['ERR_RELEASE_API'])
    expect(run.errors[0].message).toContain(`POST /repos/${REPOSITORY}/releases: no answer from ${api.url}`)
    expect(originTag('v1')).toBeNull()
  })

  test('origin refusing the major tag: the release is there, v1 is not moved, and a re-run finishes the job', async () => {
    const v1 = commitVersion('1.2.2')
    setOriginTag('v1', v1)
    const sha = commitVersion('1.2.3')
    const hook = path.join(origin, 'hooks', 'pre-receive')
    writeFileSync(
      hook,
      '#!/bin/sh\nwhile read old new ref; do [ "$ref" = refs/tags/v1 ] && { echo "tag protection: v1 is protected" >&2; exit 1; }; done\nexit 0\n',
    )
    chmodSync(hook, 0o755)

    const run = await runRelease('v1.2.3', sha)

    expect(run.code).toBe(1)
    expect(titles(run.errors)).toEqual(['ERR_RELEASE_MAJOR_TAG'])
    const url = `https://github.com/${REPOSITORY}/releases/tag/v1.2.3`
    expect(run.errors[0].message).toContain(`The release v1.2.3 was created (${url}), but v1 was not moved (it was at ${v1} when checked).`)
    expect(run.errors[0].message).toContain('v1 is protected')
    expect(run.errors[0].message).toContain(`To move it by hand: git push --force origin ${sha}:refs/tags/v1`)
    expect(api.releases.map((r) => r.tag_name)).toEqual(['v1.2.3'])
    expect(originTag('v1')).toBe(v1)

    rmSync(hook)
    const rerun = await runRelease('v1.2.3', sha)
    expect(rerun.code).toBe(0)
    expect(api.releases).toHaveLength(1)
    expect(originTag('v1')).toBe(sha)
  })

  test('a major tag moved by another release meanwhile is not overwritten', async () => {
    const v1 = commitVersion('1.2.2')
    setOriginTag('v1', v1)
    const sha = commitVersion('1.2.3')
    git(work, 'commit', '-q', '--allow-empty', '-m', 'a later commit')
    const other = git(work, 'rev-parse', 'HEAD')
    git(work, 'checkout', '-q', sha)
    api.override((request) => {
      if (request.method === 'POST') setOriginTag('v1', other)
      return undefined
    })

    const run = await runRelease('v1.2.3', sha)

    expect(titles(run.errors)).toEqual(['ERR_RELEASE_MAJOR_TAG'])
    expect(run.errors[0].message).toContain('stale info')
    expect(originTag('v1')).toBe(other)
  })
})

describe('the version rules', () => {
  test('semver tags, and what is not one', () => {
    expect(parseVersionTag('v1.2.3')).toEqual({ tag: 'v1.2.3', version: '1.2.3', major: 1, minor: 2, patch: 3, prerelease: [] })
    expect(parseVersionTag('v2.0.0-rc.1')?.prerelease).toEqual(['rc', '1'])
    for (const tag of ['1.2.3', 'v1.2', 'v1', 'v1.2.3.4', 'v1.02.3', 'v1.2.3-01', 'v1.2.3+b', 'v1.2.3-rc..1', 'V1.2.3']) {
      expect(parseVersionTag(tag)).toBeNull()
    }
  })

  test('precedence follows semver.org', () => {
    const order = [
      'v1.0.0-alpha',
      'v1.0.0-alpha.1',
      'v1.0.0-alpha.beta',
      'v1.0.0-beta',
      'v1.0.0-beta.2',
      'v1.0.0-beta.11',
      'v1.0.0-rc.1',
      'v1.0.0',
      'v1.0.1',
      'v1.10.0',
      'v2.0.0',
    ]
    const versions = order.map((tag) => parseVersionTag(tag)!)
    expect(
      [...versions]
        .reverse()
        .sort(compareVersions)
        .map((v) => v.tag),
    ).toEqual(order)
  })

  test('a heading inside a fenced code block belongs to the entry', () => {
    const text =
      '## [1.1.0] - 2026-12-01\n\n- New summary:\n\n```md\n## Fleet deploy\n```\n\n- More.\n\n## [1.0.0] - 2026-11-01\n\n- Old.\n'
    expect(changelogSection(text, '1.1.0').body).toBe('- New summary:\n\n```md\n## Fleet deploy\n```\n\n- More.')
  })

  test.each([
    ['a longer fence holds a shorter one', '````md\n```\n## Inside\n```\n````'],
    ['a tilde fence is not closed by backticks', '~~~\n```\n## Inside\n~~~'],
    ['a backtick fence is not closed by tildes', '```\n~~~\n## Inside\n```'],
    ['a closing fence may be longer, indented and followed by spaces', '```js\n## Inside\n  `````  '],
    ['a line with info text does not close a fence', '```\n```md\n## Inside\n```'],
  ])('fences close as CommonMark says: %s', (_, entry) => {
    const text = `## [1.1.0] - 2026-12-01\n\n${entry}\n\n## [1.0.0] - 2026-11-01\n\n- Old.\n`
    expect(changelogSection(text, '1.1.0')).toEqual({ body: entry })
  })

  test.each([
    ['a fence closed by the other character', '```\n## Inside\n~~~', '```', 3],
    ['a fence closed by a shorter one', '````\n## Inside\n```', '````', 3],
    ['a fence whose close has text after it', '~~~\n## Inside\n~~~ end', '~~~', 3],
    ['a second fence left open', '```\nok\n```\n\n```sh', '```', 7],
  ])('an unclosed fence is a problem, never the rest of the file: %s', (_, entry, marker, line) => {
    const text = `## [1.1.0] - 2026-12-01\n\n${entry}\n\n## [1.0.0] - 2026-11-01\n\n- Old.\n`
    expect(changelogSection(text, '1.1.0')).toEqual({
      code: 'ERR_RELEASE_CHANGELOG_FENCE',
      problem: `the code fence ${marker} opened on line ${line}, in the section "## [1.1.0] - 2026-12-01", is never closed`,
    })
  })

  test('backticks inside a line of text open no fence', () => {
    const text = '## [1.1.0] - 2026-12-01\n\n```inline``` code\n\n## [1.0.0] - 2026-11-01\n\n- Old.\n'
    expect(changelogSection(text, '1.1.0')).toEqual({ body: '```inline``` code' })
  })

  test('a changelog section needs a real date and entries', () => {
    expect(changelogSection('## [1.0.0] - 2026-02-30\n\n- x\n', '1.0.0').problem).toMatch(/not a calendar date/)
    expect(changelogSection('## [1.0.0] - 2026-02-03\n\n## [0.9.0] - 2026-01-01\n- y\n', '1.0.0').problem).toMatch(/has no entries/)
    // 1.0.0 does not match 1.0.0-rc.1 or 11.0.0.
    expect(changelogSection('## [1.0.0-rc.1] - 2026-02-03\n- x\n## [11.0.0] - 2026-02-03\n- x\n', '1.0.0').problem).toMatch(
      /has no section/,
    )
  })
})

test('the script run as the workflow runs it: without the runner environment it says so, titled', () => {
  const env = { ...process.env }
  for (const name of ['NODE_OPTIONS', 'GITHUB_REF_NAME', 'GITHUB_SHA', 'GITHUB_REPOSITORY', 'GITHUB_API_URL', 'GITHUB_TOKEN'])
    delete env[name]
  const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'release.mjs')], { cwd: tmp, env, encoding: 'utf8' })
  expect(run.status).toBe(1)
  const { annotations } = parseWorkflowCommands(run.stdout)
  expect(titles(annotations)).toEqual(['ERR_RELEASE_ENVIRONMENT'])
  expect(annotations[0].message).toContain('GITHUB_REF_NAME, GITHUB_SHA, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_TOKEN not set.')
})

test('docs/workflows.md lists every release error code', () => {
  const docs = readFileSync(path.join(root, 'docs', 'workflows.md'), 'utf8')
  for (const code of Object.keys(RELEASE_ERRORS)) expect(docs).toContain(`\`${code}\``)
})

describe('the command line', () => {
  test('takes --check or nothing; a typo or --help releases nothing and says how to call it', () => {
    expect(parseArguments([])).toEqual({ checkOnly: false })
    expect(parseArguments(['--check'])).toEqual({ checkOnly: true })
    for (const args of [['--chek'], ['--help'], ['--check', 'v1.2.3']]) {
      expect(parseArguments(args).error).toMatch(/^Unknown argument '.*'\.\nUsage: node scripts\/release\.mjs \[--check\]/)
    }
    const script = spawnSync(process.execPath, [path.join(root, 'scripts', 'release.mjs'), '--chek'], { encoding: 'utf8', env: {} })
    expect([script.status, script.stdout]).toEqual([2, ''])
  })
})
