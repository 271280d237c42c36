// Publishes the release of a pushed version tag (run by .github/workflows/release.yml): checks the tag, CHANGELOG.md,
// package.json, the released versions in origin and dist/, then creates the GitHub release with the changelog section
// as its body and moves the major tag (v1) to the commit. Every check runs before anything changes, and all problems
// are reported at once; a failure after a change says what was done and what was not.
//
// Tags: vMAJOR.MINOR.PATCH is a release; vMAJOR.MINOR.PATCH-<prerelease> (e.g. v2.0.0-rc.1) is published as a GitHub
// prerelease and never moves the major tag; anything else (v1.2, v01.2.3, v1.2.3+build) is refused.
import { spawnSync } from 'node:child_process'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
// The file boundary's rule (what a regular file is, how anything else is refused) has one implementation, shared with
// src/platform/files.ts as plain JavaScript: this script runs from the tagged checkout with plain Node, before any
// build, so it cannot import TypeScript nor trust dist/ (which it is about to check).
import { kindOfGitMode, notRegular, tooLarge } from '../src/platform/file-kinds.mjs'

/** What to do about each failure; the annotation's title is the code. */
export const RELEASE_ERRORS = {
  ERR_RELEASE_ENVIRONMENT:
    'Run this script from the release workflow, which sets GITHUB_REF_NAME, GITHUB_SHA, GITHUB_REPOSITORY, GITHUB_API_URL and GITHUB_TOKEN.',
  ERR_RELEASE_TAG_NOT_SEMVER:
    'Delete the tag (git push origin :refs/tags/<tag>) and push vMAJOR.MINOR.PATCH (e.g. v1.2.3), or vMAJOR.MINOR.PATCH-<prerelease> (e.g. v1.3.0-rc.1) for a prerelease.',
  ERR_RELEASE_CHECKOUT:
    'Release the commit the tag points at now: run the workflow of its newest push (actions/checkout checks out the tag); an older run of a tag pushed again is refused.',
  ERR_RELEASE_CHANGELOG:
    'Add the section "## [X.Y.Z] - YYYY-MM-DD" with the entries of this version to CHANGELOG.md (move them from [Unreleased]), commit, delete the tag and push it again on the new commit.',
  ERR_RELEASE_CHANGELOG_FENCE:
    'Close the code fence the message names in CHANGELOG.md (a line of the same character, ` or ~, at least as long as the opening one), commit, delete the tag and push it again on the new commit.',
  ERR_RELEASE_VERSION_MISMATCH:
    'Set "version" in package.json to the version of the tag, commit, delete the tag and push it again on the new commit.',
  ERR_RELEASE_VERSION_BEHIND:
    'Release a version after the newest one (the next patch, minor or major); delete this tag (git push origin :refs/tags/<tag>). Only the newest major is maintained.',
  ERR_RELEASE_DIST_STALE: 'Run npm run build, commit dist/, delete the tag and push it again on the new commit.',
  ERR_RELEASE_GIT:
    'A git command failed (its output is in the message); check that the job checked out the repository with a token that can read it, and re-run the job.',
  ERR_RELEASE_API:
    'The GitHub API refused or did not answer (status and message are above); check the token has contents: write, and re-run the job, which updates a release that already exists.',
  ERR_RELEASE_MAJOR_TAG:
    'The major tag could not be moved (git output above): re-run the job (the release is then updated, not duplicated), or move it by hand with the command above.',
  ERR_RELEASE_UNEXPECTED: 'The release script itself failed; re-run the job, and open an issue with this message if it fails again.',
}

const SEMVER_TAG =
  /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?$/
const MAJOR_TAG = /^v(0|[1-9]\d*)$/
const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/

/** A version tag as numbers and prerelease identifiers, or null when it is not semver. */
export function parseVersionTag(tag) {
  const match = SEMVER_TAG.exec(tag)
  if (!match) return null
  const [major, minor, patch] = match.slice(1, 4).map(Number)
  const prerelease = match[4] === undefined ? [] : match[4].split('.')
  return { tag, version: tag.slice(1), major, minor, patch, prerelease }
}

/** Semver precedence (semver.org §11): negative when a < b. */
export function compareVersions(a, b) {
  for (const key of ['major', 'minor', 'patch']) if (a[key] !== b[key]) return a[key] - b[key]
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const [x, y] = [a.prerelease[i], b.prerelease[i]]
    if (x === y) continue
    const [xNum, yNum] = [/^\d+$/.test(x), /^\d+$/.test(y)]
    if (xNum && yNum) return Number(x) - Number(y)
    if (xNum !== yNum) return xNum ? -1 : 1
    return x < y ? -1 : 1
  }
  return a.prerelease.length - b.prerelease.length
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The body of the CHANGELOG.md section `## [<version>] - YYYY-MM-DD`, without the link definitions that end the file.
 * Returns `{ body }`, or `{ problem }` saying what is wrong.
 */
export function changelogSection(changelog, version) {
  const lines = changelog.split(/\r?\n/)
  const heading = new RegExp(`^## \\[${escapeRegExp(version)}\\] - (\\d{4}-\\d{2}-\\d{2})\\s*$`)
  const start = lines.findIndex((line) => heading.test(line))
  if (start < 0) {
    const near = lines.find((line) => /^##\s/.test(line) && new RegExp(`(^|[^\\w.-])${escapeRegExp(version)}($|[^\\w.-])`).test(line))
    const expected = `"## [${version}] - YYYY-MM-DD"`
    return { problem: near ? `its heading "${near.trim()}" is not ${expected}` : `it has no section ${expected}` }
  }
  const date = heading.exec(lines[start])[1]
  if (Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
    return { problem: `the date of "## [${version}] - ${date}" is not a calendar date (YYYY-MM-DD)` }
  }
  // The next heading of the same level ends it; one inside a fenced code block is part of the entry.
  let fence = null
  const end = lines.findIndex((line, i) => {
    if (i <= start) return false
    if (fence !== null) {
      if (closesFence(line, fence.marker)) fence = null
      return false
    }
    const marker = fenceOpening(line)
    if (marker !== null) fence = { marker, line: i + 1 }
    return marker === null && /^## /.test(line)
  })
  // An open fence would take the rest of the file into the release notes.
  if (fence !== null) {
    return {
      code: 'ERR_RELEASE_CHANGELOG_FENCE',
      problem: `the code fence ${fence.marker} opened on line ${fence.line}, in the section "## [${version}] - ${date}", is never closed`,
    }
  }
  const section = lines.slice(start + 1, end < 0 ? lines.length : end)
  while (section.length > 0 && (section.at(-1).trim() === '' || /^\[[^\]]+\]:\s/.test(section.at(-1)))) section.pop()
  while (section.length > 0 && section[0].trim() === '') section.shift()
  if (section.length === 0) return { problem: `its section "## [${version}] - ${date}" has no entries` }
  return { body: section.join('\n') }
}

/** The fence a line opens (CommonMark: 3 or more backticks or tildes, a backtick fence's info string without
 * backticks), or null. Any indentation counts, as entries nest fences in list items. */
function fenceOpening(line) {
  const match = /^\s*(`{3,}|~{3,})(.*)$/.exec(line)
  if (match === null || (match[1][0] === '`' && match[2].includes('`'))) return null
  return match[1]
}

/** Whether a line closes the fence `marker`: the same character, at least as many, nothing after but spaces. */
function closesFence(line, marker) {
  const match = /^\s*(`{3,}|~{3,})[ \t]*$/.exec(line)
  return match !== null && match[1][0] === marker[0] && match[1].length >= marker.length
}

/** Message text for the runner's protocol: `%`, CR and LF escaped, so no part of it can start a workflow command. */
export function escapeData(text) {
  return String(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** A property value (the title): data escaping plus `:` and `,`. */
const escapeProperty = (text) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')

/** One log line: whatever breaks lines shown as ⏎, so nothing in the text starts a line (or a command) of its own. */
const oneLine = (text) => String(text).replace(/\r\n|[\n\r\u0085\u2028\u2029]/g, ' ⏎ ')
const bounded = (text, max = 2000) => (text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text)

class ReleaseError extends Error {
  constructor(code, message) {
    super(message)
    this.code = code
  }
}

/** git with an argument array (never a shell); throws ERR_RELEASE_GIT with the command and its output. */
function git(cwd, args) {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] })
  if (run.status !== 0) {
    const output = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim() || String(run.error ?? `signal ${run.signal}`)
    throw new ReleaseError('ERR_RELEASE_GIT', `git ${args.join(' ')} failed (exit ${run.status}): ${bounded(output)}`)
  }
  return run.stdout.trim()
}

/** The tags in origin: name → the commit it points at (annotated tags peeled), and the raw ref value. */
function remoteTags(cwd) {
  const tags = new Map()
  for (const line of git(cwd, ['ls-remote', '--tags', 'origin']).split('\n').filter(Boolean)) {
    const [sha, ref] = line.split('\t')
    const peeled = ref.endsWith('^{}')
    const name = ref.replace(/^refs\/tags\//, '').replace(/\^\{\}$/, '')
    const entry = tags.get(name) ?? { ref: sha, commit: sha }
    if (peeled) entry.commit = sha
    else entry.ref = sha
    tags.set(name, entry)
  }
  return tags
}

/** Why the tag is behind what origin already has (a newer major tag, or a newer stable version tag), or null. */
function behindProblem(version, tags) {
  const newerMajor = [...tags.keys()]
    .map((name) => MAJOR_TAG.exec(name))
    .filter((m) => m && Number(m[1]) > version.major)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => m[0])
  if (newerMajor.length > 0) return `the major tag ${newerMajor.at(-1)} exists, so v${version.major} is no longer released`
  const newer = [...tags.keys()]
    .map(parseVersionTag)
    .filter((v) => v && v.prerelease.length === 0 && v.tag !== version.tag && compareVersions(v, version) > 0)
    .sort(compareVersions)
  return newer.length > 0 ? `${newer.at(-1).tag} is tagged already` : null
}

/** The dist/ check: a command that exits non-zero when dist/ is not the bundle of src/. */
function distProblem(cwd, [command, ...args]) {
  const run = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] })
  if (run.status === 0) return null
  const output = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim() || String(run.error ?? `signal ${run.signal}`)
  return `${[command, ...args].join(' ')} failed (exit ${run.status}): ${bounded(output)}`
}

/** A GitHub REST call; resolves with the status and parsed body, rejects ERR_RELEASE_API when there is no answer. */
async function github(settings, method, route, body) {
  const url = `${settings.apiUrl.replace(/\/+$/, '')}${route}`
  let response
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${settings.token}`,
        'content-type': 'application/json',
        'user-agent': 'modal-processor-deploy-release',
        'x-github-api-version': '2022-11-28',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(settings.apiTimeoutMs),
    })
  } catch (error) {
    throw new ReleaseError(
      'ERR_RELEASE_API',
      `${method} ${route}: no answer from ${settings.apiUrl} (${error.cause?.message ?? error.message})`,
    )
  }
  const text = await response.text()
  try {
    return { status: response.status, body: JSON.parse(text) }
  } catch {
    return { status: response.status, body: { message: text } }
  }
}

function apiFailure(method, route, { status, body }) {
  const details = Array.isArray(body?.errors) ? ` ${JSON.stringify(body.errors)}` : ''
  return new ReleaseError(
    'ERR_RELEASE_API',
    `${method} ${route} answered ${status}: ${bounded(String(body?.message ?? ''), 500)}${details}`,
  )
}

/**
 * Creates the release, or updates it when one exists for the tag (a re-run after a later step failed).
 * Resolves with its URL and whether it was created.
 */
async function publishRelease(settings, version, notes) {
  const fields = { name: version.tag, body: notes, prerelease: version.prerelease.length > 0 }
  const releases = `/repos/${settings.repository}/releases`
  const created = await github(settings, 'POST', releases, {
    tag_name: version.tag,
    // Never a new tag on the default branch's tip: the release is of the commit that was checked.
    target_commitish: settings.sha,
    ...fields,
    make_latest: fields.prerelease ? 'false' : 'true',
  })
  if (created.status === 201) return { url: created.body?.html_url, created: true }
  const exists = created.status === 422 && (created.body?.errors ?? []).some((e) => e?.code === 'already_exists')
  if (!exists) throw apiFailure('POST', releases, created)
  const byTag = `${releases}/tags/${encodeURIComponent(version.tag)}`
  const found = await github(settings, 'GET', byTag)
  if (found.status !== 200) throw apiFailure('GET', byTag, found)
  const byId = `${releases}/${Number(found.body?.id)}`
  const updated = await github(settings, 'PATCH', byId, fields)
  if (updated.status !== 200) throw apiFailure('PATCH', byId, updated)
  return { url: updated.body?.html_url, created: false }
}

/** The runner's variables; the checks alone need no token. */
function readSettings(env, checkOnly) {
  const names = ['GITHUB_REF_NAME', 'GITHUB_SHA', 'GITHUB_REPOSITORY', ...(checkOnly ? [] : ['GITHUB_API_URL', 'GITHUB_TOKEN'])]
  const missing = names.filter((name) => !env[name])
  if (missing.length > 0) throw new ReleaseError('ERR_RELEASE_ENVIRONMENT', `${missing.join(', ')} not set.`)
  if (!/^[\w.-]+\/[\w.-]+$/.test(env.GITHUB_REPOSITORY)) {
    throw new ReleaseError('ERR_RELEASE_ENVIRONMENT', `GITHUB_REPOSITORY is not <owner>/<repo>: ${env.GITHUB_REPOSITORY}`)
  }
  if (!COMMIT.test(env.GITHUB_SHA)) throw new ReleaseError('ERR_RELEASE_ENVIRONMENT', `GITHUB_SHA is not a commit id: ${env.GITHUB_SHA}`)
  return {
    tag: env.GITHUB_REF_NAME,
    sha: env.GITHUB_SHA,
    repository: env.GITHUB_REPOSITORY,
    apiUrl: env.GITHUB_API_URL,
    token: env.GITHUB_TOKEN,
  }
}

/** CHANGELOG.md and package.json are small text files; anything larger is not one. */
const MAX_RELEASE_FILE_BYTES = 1024 * 1024

/**
 * A file of the commit, read from git (not the work tree): `{ text }`, `{ text: null }` when the commit has none, or
 * `{ problem }` when it is not a regular file (a symlink, a submodule…) or is larger than the bound. git stops
 * writing once the bound is passed (maxBuffer ends it), so no more than that is ever read.
 */
function fileAt(cwd, commit, file) {
  const entry = git(cwd, ['ls-tree', commit, '--', file])
  if (entry === '') return { text: null }
  const [mode, , object] = entry.split(/\s/)
  const kind = kindOfGitMode(mode)
  if (kind !== 'a regular file') return { problem: notRegular(kind) }
  const run = spawnSync('git', ['cat-file', 'blob', object], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: MAX_RELEASE_FILE_BYTES,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (run.error?.code === 'ENOBUFS') return { problem: tooLarge(MAX_RELEASE_FILE_BYTES) }
  if (run.status !== 0)
    throw new ReleaseError('ERR_RELEASE_GIT', `git cat-file blob ${object} failed: ${bounded(`${run.stderr ?? run.error}`)}`)
  return { text: run.stdout }
}

function packageVersion({ text, problem }) {
  if (problem) return `nothing readable (it ${problem})`
  if (text === null) return 'nothing (there is no package.json)'
  try {
    return String(JSON.parse(text).version)
  } catch (error) {
    return `nothing readable (${error.message})`
  }
}

/** Every check, in the checkout `cwd`: the version to release, or the problems found. Changes nothing. */
function check(settings, cwd, distCheck) {
  const version = parseVersionTag(settings.tag)
  if (version === null) {
    return { problems: [new ReleaseError('ERR_RELEASE_TAG_NOT_SEMVER', `The tag ${settings.tag} is not a version tag.`)] }
  }
  const head = git(cwd, ['rev-parse', '--verify', 'HEAD^{commit}'])
  const commit = git(cwd, ['rev-parse', '--verify', `${settings.sha}^{commit}`])
  if (head !== commit) {
    return { problems: [new ReleaseError('ERR_RELEASE_CHECKOUT', `The checkout is at ${head}, not at ${commit} (${settings.tag}).`)] }
  }
  const problems = []
  const changelog = fileAt(cwd, commit, 'CHANGELOG.md')
  const notes = changelog.problem
    ? { problem: `it ${changelog.problem}` }
    : changelog.text === null
      ? { problem: 'there is no CHANGELOG.md' }
      : changelogSection(changelog.text, version.version)
  if (notes.problem)
    problems.push(new ReleaseError(notes.code ?? 'ERR_RELEASE_CHANGELOG', `CHANGELOG.md at ${settings.tag}: ${notes.problem}.`))
  const declared = packageVersion(fileAt(cwd, commit, 'package.json'))
  if (declared !== version.version) {
    problems.push(
      new ReleaseError(
        'ERR_RELEASE_VERSION_MISMATCH',
        `package.json at ${settings.tag} gives version ${declared}, the tag ${version.version}.`,
      ),
    )
  }
  const tags = remoteTags(cwd)
  // A re-run of an old run must not release a commit the tag has since left (deleted, or pushed again elsewhere).
  const tagged = tags.get(settings.tag)?.commit
  if (tagged !== commit) {
    const where = tagged === undefined ? 'is not in origin any more' : `points at ${tagged} in origin now`
    problems.push(new ReleaseError('ERR_RELEASE_CHECKOUT', `${settings.tag} ${where}, not at ${commit}, the commit this run checked out.`))
  }
  const behind = behindProblem(version, tags)
  if (behind) problems.push(new ReleaseError('ERR_RELEASE_VERSION_BEHIND', `${settings.tag} is behind what is released: ${behind}.`))
  const stale = distProblem(cwd, distCheck)
  if (stale) problems.push(new ReleaseError('ERR_RELEASE_DIST_STALE', `dist/ at ${settings.tag} is not the bundle of src/: ${stale}`))
  return { problems, version, commit, notes: notes.body, tags }
}

/**
 * Runs the release. `env` is the runner's environment, `cwd` the checkout of the tagged commit, `distCheck` the
 * command that fails when dist/ is stale, `write` where log lines and workflow commands go; `checkOnly` stops after
 * the checks (the workflow's early job, so a bad tag fails in a minute, not after the whole CI). Resolves with the
 * exit code.
 */
export async function release({
  checkOnly = false,
  env = process.env,
  cwd = process.cwd(),
  distCheck = [process.execPath, 'scripts/build.mjs', '--check'],
  write = (text) => process.stdout.write(text),
  apiTimeoutMs = 30_000,
} = {}) {
  const log = (text) => write(`${oneLine(text)}\n`)
  const annotate = (level, title, message) => write(`::${level} title=${escapeProperty(title)}::${escapeData(message)}\n`)
  const fail = (error, done = '') => {
    const code = error instanceof ReleaseError ? error.code : 'ERR_RELEASE_UNEXPECTED'
    const fix = RELEASE_ERRORS[code]
    annotate('error', code, `${done}${bounded(error.message, 4000)}\nFix: ${fix}`)
  }
  let settings
  try {
    settings = { ...readSettings(env, checkOnly), apiTimeoutMs }
  } catch (error) {
    fail(error, 'Nothing was changed. ')
    return 1
  }

  let checked
  try {
    checked = check(settings, cwd, distCheck)
  } catch (error) {
    fail(error, 'Nothing was changed. ')
    return 1
  }
  if (checked.problems.length > 0) {
    for (const problem of checked.problems) fail(problem, 'Nothing was changed. ')
    return 1
  }
  const { version, commit, notes, tags } = checked
  const majorTag = `v${version.major}`
  log(`${version.tag} at ${commit}: CHANGELOG.md, package.json, released versions and dist/ checked.`)
  if (checkOnly) return 0

  let published
  try {
    published = await publishRelease(settings, version, notes)
  } catch (error) {
    fail(error, `Nothing was changed: the release ${version.tag} was not created and ${majorTag} was not moved. `)
    return 1
  }
  log(`${published.created ? 'Created' : 'Updated (it existed)'} the GitHub release ${version.tag}: ${published.url}`)

  if (version.prerelease.length > 0) {
    annotate('notice', `Released ${version.tag}`, `Prerelease ${version.tag} published (${published.url}); ${majorTag} was not moved.`)
    return 0
  }
  const before = tags.get(majorTag)
  if (before?.commit === commit) {
    log(`${majorTag} already points at ${commit}.`)
  } else {
    try {
      // Compare-and-swap: the push fails instead of overwriting a major tag another release moved meanwhile.
      git(cwd, ['push', `--force-with-lease=refs/tags/${majorTag}:${before?.ref ?? ''}`, 'origin', `${commit}:refs/tags/${majorTag}`])
    } catch (error) {
      const was = before ? `not moved (it was at ${before.commit} when checked)` : 'not created'
      const byHand = `To move it by hand: git push --force origin ${commit}:refs/tags/${majorTag}`
      const done = `The release ${version.tag} was ${published.created ? 'created' : 'updated'} (${published.url}), but ${majorTag} was ${was}. `
      fail(new ReleaseError('ERR_RELEASE_MAJOR_TAG', `${error.message}\n${byHand}`), done)
      return 1
    }
    log(`Moved ${majorTag} to ${commit}${before ? ` (was ${before.commit})` : ' (new major tag)'}.`)
  }
  annotate('notice', `Released ${version.tag}`, `${version.tag} published (${published.url}); ${majorTag} points at ${commit}.`)
  return 0
}

const USAGE = 'Usage: node scripts/release.mjs [--check]   (in the release workflow, on a pushed vX.Y.Z tag)'

/** The command line: `--check` or nothing. Anything else (a typo of --check, --help) releases nothing. */
export function parseArguments(args) {
  const unknown = args.filter((arg) => arg !== '--check')
  return unknown.length > 0
    ? { error: `Unknown argument ${unknown.map((a) => `'${a}'`).join(', ')}.\n${USAGE}` }
    : { checkOnly: args.includes('--check') }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const parsed = parseArguments(process.argv.slice(2))
  if (parsed.error) {
    process.stderr.write(`${parsed.error}\n`)
    process.exitCode = 2
  } else {
    process.exitCode = await release({ checkOnly: parsed.checkOnly })
  }
}
