// Every shell block of the documentation runs as written, offline, against the local Modal emulator: each in a fresh
// copy of this work tree (nothing here changes), from the folder its first line names. A block that cannot run here
// (a real Modal account, GitHub, the whole test suite) says so, with the reason, in a marker on the line before it.
import { describe, expect, test } from '@jest/globals'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from '../../testing/harness/emulator.mjs'
import { scratchDir } from '../../testing/harness/scratch.mjs'
import { shellBlocks, type ShellBlock } from '../support/doc-blocks.js'

const DOCUMENTS = [
  'README.md',
  ...readdirSync(path.join(REPO_ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
  'testing/emulator/README.md',
  'integrations/django/README.md',
]
const blocks = DOCUMENTS.flatMap((file) => shellBlocks(file, readFileSync(path.join(REPO_ROOT, file), 'utf8')))
const runnable = blocks.filter((block) => block.skip === null)

// The Django steps need Django for the interpreter they name; Debian's python3-django installs it for /usr/bin/python3.
const djangoMissing = spawnSync('/usr/bin/python3', ['-c', 'import django'], { stdio: 'ignore' }).status !== 0
const needsDjango = (block: ShellBlock) => /django|manage\.py/i.test(block.code)

/** The work tree as git sees it (tracked and new files, not ignored ones), with links to the installed packages. */
function copyOfWorkTree(): string {
  const root = path.join(scratchDir('docs-block-'), 'modal-processor-deploy')
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' })
  for (const file of files.split('\0').filter((f) => f !== '' && existsSync(path.join(REPO_ROOT, f)))) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    // Timestamps kept: scripts/ensure-deps.mjs compares package-lock.json with the installed packages.
    cpSync(path.join(REPO_ROOT, file), path.join(root, file), { preserveTimestamps: true })
  }
  // A folder of links, not a link to the folder: should a block reinstall packages, it can only remove the links.
  mkdirSync(path.join(root, 'node_modules'))
  for (const entry of readdirSync(path.join(REPO_ROOT, 'node_modules'))) {
    symlinkSync(path.join(REPO_ROOT, 'node_modules', entry), path.join(root, 'node_modules', entry))
  }
  return root
}

/** Where a block's first line says it runs from, in a copy of the repository. */
function startingFolder(block: ShellBlock, copy: string): string {
  if (block.from === 'the repository root') return copy
  if (block.from === 'a new, empty folder') return scratchDir('docs-new-folder-')
  return path.join(copy, block.from ?? '')
}

interface Outcome {
  status: number | null
  output: string
}

function runBlock(block: ShellBlock): Promise<Outcome> {
  const copy = copyOfWorkTree()
  const home = scratchDir('docs-home-')
  const env: Record<string, string | undefined> = {
    ...process.env,
    HOME: home,
    // Where the blocks' own temporary folders (emulator homes, projects) go: removed with the rest after the file.
    TMPDIR: scratchDir('docs-tmp-'),
    // Offline: nothing may come from a package index.
    PIP_NO_INDEX: '1',
    npm_config_offline: 'true',
  }
  // A reader's terminal: no Modal settings of this process, no jest flags, and not a workflow step (in one,
  // ci-emulator.mjs writes $GITHUB_ENV instead of printing the exports).
  const notTheReaders = /^(MODAL_|GITHUB_|RUNNER_)|^(NODE_OPTIONS|CI)$/
  for (const name of Object.keys(env)) if (notTheReaders.test(name)) delete env[name]
  // The clone a block from a new, empty folder refers to.
  env.MODAL_PROCESSOR_DEPLOY = copy
  return new Promise((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', block.code], {
      cwd: startingFolder(block, copy),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    // A block that hangs is ended with everything it started.
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 90_000)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, output })
    })
  })
}

describe('shellBlocks', () => {
  test('finds sh, bash and shell blocks, indented ones too, with where they run from and their skip and expect markers', () => {
    const markdown = [
      '# Title',
      '```sh',
      '# from the repository root: the first step',
      'npm run demo',
      '```',
      '```yaml',
      'not: shell',
      '```',
      '1. a list item:',
      '',
      '   <!-- docs-test: skip (pushes to GitHub (a tag)) -->',
      '   <!-- docs-test: expect (pushed: v1 (moved)) -->',
      '   ```bash',
      '   # from a new, empty folder (a project); more words',
      '   git push',
      '   ```',
      '````shell',
      'echo no place',
      '```',
      '````',
    ].join('\n')
    expect(shellBlocks('doc.md', markdown)).toEqual([
      {
        where: 'doc.md:2',
        file: 'doc.md',
        code: '# from the repository root: the first step\nnpm run demo\n',
        from: 'the repository root',
        skip: null,
        expect: [],
      },
      {
        where: 'doc.md:13',
        file: 'doc.md',
        code: '# from a new, empty folder (a project); more words\ngit push\n',
        from: 'a new, empty folder',
        skip: 'pushes to GitHub (a tag)',
        expect: ['pushed: v1 (moved)'],
      },
      { where: 'doc.md:17', file: 'doc.md', code: 'echo no place\n```\n', from: null, skip: null, expect: [] },
    ])
  })
})

describe('every shell block of the documentation', () => {
  test('is found (the extraction works), and each says where it runs from', () => {
    const files = new Set(blocks.map((block) => block.file))
    for (const file of ['README.md', 'docs/workflows.md', 'testing/emulator/README.md', 'integrations/django/README.md'])
      expect(files).toContain(file)
    const unplaced = blocks.filter((block) => block.from === null).map((block) => block.where)
    expect(unplaced).toEqual([])
  })

  test('that runs here starts in a known place: the repository root, a folder of it, or a new, empty folder', () => {
    const unknown = runnable
      .filter((block) => block.from !== 'the repository root' && block.from !== 'a new, empty folder')
      .filter((block) => block.from === null || !existsSync(path.join(REPO_ROOT, block.from)))
      .map((block) => `${block.where}: ${block.from}`)
    expect(unknown).toEqual([])
  })

  test('that does not run here says why', () => {
    const skipped = blocks.filter((block) => block.skip !== null)
    expect(skipped.filter((block) => block.skip!.trim().length < 10).map((block) => block.where)).toEqual([])
    // Most blocks run: a skip is the exception.
    expect(runnable.length).toBeGreaterThan(skipped.length)
  })
})

// The blocks mostly wait on the processes they start: a few at a time finish sooner than one after another.
let free = 3
const waiting: (() => void)[] = []
async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (free === 0) await new Promise<void>((resolve) => waiting.push(resolve))
  else free--
  try {
    return await work()
  } finally {
    const next = waiting.shift()
    if (next) next()
    else free++
  }
}

describe.each(runnable.map((block) => [block.where, block] as const))('%s', (_where, block) => {
  const run = djangoMissing && needsDjango(block) ? test.concurrent.skip : test.concurrent
  const title = djangoMissing && needsDjango(block) ? 'skipped: Django is not installed for /usr/bin/python3' : 'runs as written'
  run(
    title,
    async () => {
      const outcome = await inTurn(() => runBlock(block))
      if (outcome.status !== 0) throw new Error(`exit ${outcome.status}\n${block.code}\n--- output ---\n${outcome.output.slice(-4000)}`)
      expect(outcome.status).toBe(0)
      // What the block's expect markers say its output shows.
      for (const text of block.expect) expect(outcome.output).toContain(text)
    },
    120_000,
  )
})
