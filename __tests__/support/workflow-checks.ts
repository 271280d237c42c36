// The project's own checks of its GitHub workflows, as pure functions over parsed YAML: what actionlint cannot see
// (it knows neither this action's inputs and outputs nor, offline, the reusable workflows a caller calls).
// Each check returns findings, `<where>: <what>`; an empty list means the workflow passes.

export type Workflow = Record<string, unknown>

export interface ActionSpec {
  inputs: Record<string, { required?: boolean; default?: unknown } | null>
  outputs: Record<string, unknown>
}

/**
 * Is `uses:` this action? In this repository `./`; in a consumer's, `<owner>/modal-processor-deploy@<ref>` (the
 * examples write `org/` for the owner).
 */
export function isThisAction(uses: string): boolean {
  return uses === './' || /^[A-Za-z0-9][\w.-]*\/modal-processor-deploy@[^/\s]+$/.test(uses)
}

type Dict = Record<string, unknown>
const isDict = (value: unknown): value is Dict => typeof value === 'object' && value !== null && !Array.isArray(value)
const dict = (value: unknown): Dict => (isDict(value) ? value : {})
const lower = (names: Iterable<string>): Set<string> => new Set([...names].map((n) => n.toLowerCase()))

/** The `on:` triggers as a map (a string or a list of event names counts too). YAML 1.1 readers turn `on` into `true`. */
export function triggers(workflow: Workflow): Dict {
  const on = workflow.on ?? (workflow as Record<string, unknown>)['true']
  if (typeof on === 'string') return { [on]: null }
  if (Array.isArray(on)) return Object.fromEntries(on.map((e) => [String(e), null]))
  return dict(on)
}

export function jobs(workflow: Workflow): [string, Dict][] {
  return Object.entries(dict(workflow.jobs)).map(([id, job]) => [id, dict(job)])
}

function steps(job: Dict): Dict[] {
  return Array.isArray(job.steps) ? job.steps.map(dict) : []
}

export interface Expression {
  where: string
  text: string
}

/**
 * Every expression in a value: the insides of `${{ … }}` in strings, and whole `if:` values (implicit expressions).
 * `where` is the path of the string in the workflow, e.g. `jobs.demo.steps[3].with.image-ref`.
 */
export function expressions(value: unknown, where = ''): Expression[] {
  const found: Expression[] = []
  const walk = (node: unknown, path: string, key: string): void => {
    if (typeof node === 'string') {
      const explicit = [...node.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1])
      if (explicit.length > 0) for (const text of explicit) found.push({ where: path, text })
      else if (key === 'if') found.push({ where: path, text: node })
    } else if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}[${i}]`, key))
    else if (isDict(node)) for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k, k)
  }
  walk(value, where, '')
  return found
}

/** `<context>.<name>` and `<context>['<name>']` references in expressions, not preceded by a property access. */
function references(exprs: Expression[], context: string): { where: string; name: string; rest: string }[] {
  const pattern = new RegExp(`(?<![\\w.\\-])${context}(?:\\.([A-Za-z_][\\w-]*)|\\[\\s*'([^']+)'\\s*\\])((?:\\.[A-Za-z_][\\w-]*)*)`, 'g')
  return exprs.flatMap((e) => [...e.text.matchAll(pattern)].map((m) => ({ where: e.where, name: m[1] ?? m[2], rest: m[3] })))
}

/** Steps that use this action, with where they are. */
function actionSteps(workflow: Workflow, isAction: (uses: string) => boolean): { where: string; step: Dict }[] {
  return jobs(workflow).flatMap(([jobId, job]) =>
    steps(job)
      .map((step, i) => ({ where: `jobs.${jobId}.steps[${i}]`, step }))
      .filter(({ step }) => typeof step.uses === 'string' && isAction(step.uses)),
  )
}

/** Every `with:` key given to this action is one of its inputs, and every required input is given. */
export function checkActionInputs(workflow: Workflow, action: ActionSpec, isAction = isThisAction): string[] {
  const findings: string[] = []
  for (const { where, step } of actionSteps(workflow, isAction)) {
    const given = dict(step.with)
    for (const key of Object.keys(given)) {
      if (!(key in action.inputs)) findings.push(`${where}.with.${key}: '${key}' is not an input of action.yml`)
    }
    for (const [name, spec] of Object.entries(action.inputs)) {
      const required = spec?.required === true && (spec.default === undefined || spec.default === null)
      const value = given[name]
      if (required && (value === undefined || value === null || String(value).trim() === '')) {
        findings.push(`${where}: the required input '${name}' is not given`)
      }
    }
  }
  return findings
}

/** In a reusable workflow, every `secrets.X` it reads is declared under `on.workflow_call.secrets`. */
export function checkCallSecretsDeclared(workflow: Workflow): string[] {
  const call = triggers(workflow).workflow_call
  if (call === undefined) return []
  const declared = lower([...Object.keys(dict(dict(call).secrets)), 'GITHUB_TOKEN'])
  return references(expressions(workflow), 'secrets')
    .filter((ref) => !declared.has(ref.name.toLowerCase()))
    .map((ref) => `${ref.where}: secrets.${ref.name} is not declared under on.workflow_call.secrets`)
}

/** Every `inputs.X` is declared by the workflow_dispatch or workflow_call trigger. */
export function checkInputsDeclared(workflow: Workflow): string[] {
  const on = triggers(workflow)
  const declared = lower([...Object.keys(dict(dict(on.workflow_dispatch).inputs)), ...Object.keys(dict(dict(on.workflow_call).inputs))])
  return references(expressions(workflow), 'inputs')
    .filter((ref) => !declared.has(ref.name.toLowerCase()))
    .map((ref) => `${ref.where}: inputs.${ref.name} is not declared by on.workflow_dispatch or on.workflow_call`)
}

/** Least privilege is explicit: a top-level `permissions:`, or one on every job. */
export function checkPermissions(workflow: Workflow): string[] {
  if ('permissions' in workflow) return []
  return jobs(workflow)
    .filter(([, job]) => !('permissions' in job))
    .map(([id]) => `jobs.${id}: no permissions: (and no top-level one): the token would get the repository's default permissions`)
}

/**
 * A caller of a reusable workflow passes each of its required inputs and secrets, only ones it declares, and secrets
 * explicitly (not `inherit`); `needs.<job>.outputs.<name>` of such a job names an output of the workflow.
 * `load` returns the called workflow for a `uses:` value, or undefined when it is not known.
 */
export function checkReusableCalls(workflow: Workflow, load: (uses: string) => Workflow | undefined): string[] {
  const findings: string[] = []
  const callees = new Map<string, Dict>()
  for (const [id, job] of jobs(workflow)) {
    if (typeof job.uses !== 'string') continue
    const where = `jobs.${id}`
    const callee = load(job.uses)
    const call = callee === undefined ? undefined : triggers(callee).workflow_call
    if (callee === undefined || call === undefined) {
      findings.push(`${where}.uses: ${job.uses} is not a known reusable workflow (no on.workflow_call)`)
      continue
    }
    const spec = dict(call)
    callees.set(id, spec)
    const inputs = dict(spec.inputs)
    const secrets = dict(spec.secrets)
    const withGiven = dict(job.with)
    for (const key of Object.keys(withGiven)) {
      if (!(key in inputs)) findings.push(`${where}.with.${key}: '${key}' is not an input of ${job.uses}`)
    }
    for (const [name, input] of Object.entries(inputs)) {
      const required = dict(input).required === true && dict(input).default === undefined
      if (required && !(name in withGiven)) findings.push(`${where}: the required input '${name}' of ${job.uses} is not given`)
    }
    if (job.secrets === 'inherit') {
      findings.push(`${where}.secrets: pass the secrets ${job.uses} declares explicitly instead of 'inherit'`)
      continue
    }
    const secretsGiven = dict(job.secrets)
    for (const key of Object.keys(secretsGiven)) {
      if (!(key in secrets)) findings.push(`${where}.secrets.${key}: '${key}' is not a secret of ${job.uses}`)
    }
    for (const [name, secret] of Object.entries(secrets)) {
      if (dict(secret).required === true && !(name in secretsGiven)) {
        findings.push(`${where}: the required secret '${name}' of ${job.uses} is not passed`)
      }
    }
  }
  for (const ref of references(expressions(workflow), 'needs')) {
    const spec = callees.get(ref.name)
    const output = /^\.outputs\.([\w-]+)/.exec(ref.rest)?.[1]
    if (spec !== undefined && output !== undefined && !(output in dict(spec.outputs))) {
      findings.push(`${ref.where}: needs.${ref.name}.outputs.${output} is not an output of the workflow job ${ref.name} calls`)
    }
  }
  return findings
}

/**
 * `steps.<id>.outputs.<name>` names a step of the same job, and, when that step is this action, one of its declared
 * outputs (the runner would give an empty string for a misspelt one).
 */
export function checkStepOutputs(workflow: Workflow, action: ActionSpec, isAction = isThisAction): string[] {
  const findings: string[] = []
  for (const [jobId, job] of jobs(workflow)) {
    const byId = new Map(
      steps(job)
        .filter((s) => typeof s.id === 'string')
        .map((s) => [String(s.id), s]),
    )
    for (const ref of references(expressions(job, `jobs.${jobId}`), 'steps')) {
      const step = byId.get(ref.name)
      if (step === undefined) {
        findings.push(`${ref.where}: steps.${ref.name} is not a step id of job ${jobId}`)
        continue
      }
      const output = /^\.outputs\.([\w-]+)/.exec(ref.rest)?.[1]
      if (output !== undefined && typeof step.uses === 'string' && isAction(step.uses) && !(output in action.outputs)) {
        findings.push(`${ref.where}: steps.${ref.name}.outputs.${output} is not an output of action.yml`)
      }
    }
  }
  return findings
}

/** A reusable workflow's outputs map outputs its jobs declare. */
export function checkCallOutputs(workflow: Workflow): string[] {
  const call = triggers(workflow).workflow_call
  if (call === undefined) return []
  const declared = new Map(jobs(workflow).map(([id, job]) => [id, dict(job.outputs)]))
  return references(expressions(dict(dict(call).outputs), 'on.workflow_call.outputs'), 'jobs').flatMap((ref) => {
    const output = /^\.outputs\.([\w-]+)/.exec(ref.rest)?.[1]
    const jobOutputs = declared.get(ref.name)
    if (jobOutputs === undefined) return [`${ref.where}: jobs.${ref.name} is not a job of this workflow`]
    if (output !== undefined && !(output in jobOutputs)) return [`${ref.where}: job ${ref.name} has no output '${output}'`]
    return []
  })
}

/** Every check; `load` resolves `uses:` of reusable workflows. */
export function checkWorkflow(
  workflow: Workflow,
  action: ActionSpec,
  load: (uses: string) => Workflow | undefined,
  isAction = isThisAction,
): string[] {
  return [
    ...checkActionInputs(workflow, action, isAction),
    ...checkCallSecretsDeclared(workflow),
    ...checkInputsDeclared(workflow),
    ...checkPermissions(workflow),
    ...checkReusableCalls(workflow, load),
    ...checkStepOutputs(workflow, action, isAction),
    ...checkCallOutputs(workflow),
  ]
}

/**
 * Does a ref name match GitHub's filter patterns (`on.push.tags`, `branches`)? `*` is any characters but `/`, `**` any
 * characters, `?` and `+` zero-or-one and one-or-more of the preceding character, `[…]` one of the listed characters;
 * a pattern that starts with `!` excludes what the patterns before it matched. The last pattern that matches decides.
 */
export function filterMatches(patterns: string[], name: string): boolean {
  let matched = false
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!')
    if (filterRegExp(negated ? pattern.slice(1) : pattern).test(name)) matched = !negated
  }
  return matched
}

function filterRegExp(pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    const close = c === '[' ? pattern.indexOf(']', i + 1) : -1
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*'
      i++
    } else if (c === '*') source += '[^/]*'
    else if (close > i) {
      source += pattern.slice(i, close + 1)
      i = close
    } else if (c === '+' || c === '?') source += c
    else source += c.replace(/[.^$|(){}[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

/** The YAML code blocks of a Markdown file that start with `# .github/workflows/<name>.yml`, by that path. */
export function workflowExamples(markdown: string): Map<string, string> {
  const examples = new Map<string, string>()
  for (const m of markdown.matchAll(/^```ya?ml\n(#\s*(\.github\/workflows\/[\w.-]+\.ya?ml)[^\n]*\n[\s\S]*?)^```$/gm)) {
    examples.set(m[2], m[1])
  }
  return examples
}
