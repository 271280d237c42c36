// The error catalogue speaks to two surfaces: the action's fixes name its inputs, the CLI's its flags, and both name
// the run's values when they are known.
import { COMMANDS } from '../../src/cli/options.js'
import { ERROR_CATALOG, fillFix, fixFor, fixTemplate, type ErrorCode } from '../../src/rules/errors.js'
import { fixValuesFrom } from '../../src/rules/fix-values.js'
import { INPUT_NAMES } from '../../src/rules/settings.js'

const codes = Object.keys(ERROR_CATALOG) as ErrorCode[]
const flags = new Set(Object.values(COMMANDS).flatMap((spec) => spec.options.map((option) => option.name)))
// Inputs the CLI has no flag of that name for: a CLI fix that names one sends the user looking for it.
const actionOnlyInputs = INPUT_NAMES.filter((name) => !flags.has(name) && name.includes('-'))

describe('the CLI fix of every code', () => {
  test.each(codes)('%s names flags, never an action input, the step or deploy: true', (code) => {
    const cli = fixTemplate(ERROR_CATALOG[code].fix, 'cli')
    for (const input of actionOnlyInputs)
      expect({ code, cli, input, named: new RegExp(`(?<![-\\w])${input}\\b`).test(cli) }).toMatchObject({ named: false })
    expect(cli).not.toMatch(/deploy: true|the step\b|step env|\brunner\b|this action/)
  })

  test('the fixes that name the environment or the processor give the flag and the value', () => {
    const values = fixValuesFrom({ env: 'prod', ref: 'llm/litellm@1', command: 'logs' })
    expect(fixFor({ code: 'ERR_ENVIRONMENT_NOT_FOUND' }, 'cli', values)).toBe(
      'Give an existing environment with --env (modal environment list shows them), or create this one: modal environment create prod.',
    )
    expect(fixFor({ code: 'ERR_FUNCTION_NOT_FOUND' }, 'cli', values)).toBe(
      'Deploy it first: modal-processor deploy --ref llm/litellm@1 --env prod (modal app list --env prod shows what is deployed there).',
    )
    expect(fixFor({ code: 'ERR_INVALID_INPUT' }, 'cli', values)).toContain('modal-processor logs --help')
  })
})

describe('fixFor', () => {
  test('the action keeps its inputs and fills in the values it knows', () => {
    expect(fixFor({ code: 'ERR_FUNCTION_NOT_FOUND' }, 'action', { env: 'dev' })).toBe(
      'Confirm the processor was deployed to that Modal environment: modal app list --env dev; deploy it first (deploy: true).',
    )
    expect(fixFor({ code: 'ERR_ENVIRONMENT_NOT_FOUND' })).toContain('modal environment create <env>) or fix modal-environment')
  })

  test('an error’s own fix wins, for its surface', () => {
    const fix = { action: 'action {app}', cli: 'cli {app}' }
    expect(fixFor({ code: 'ERR_SMOKE_FAILED', fix }, 'cli', { app: 'a-b-v1' })).toBe('cli a-b-v1')
    expect(fixFor({ code: 'ERR_SMOKE_FAILED', fix: 'both' }, 'cli')).toBe('both')
  })

  test('unknown values show as their name; formats and JSON are left alone', () => {
    expect(fillFix('modal app logs {app} --env {env}', { env: 'dev' })).toBe('modal app logs <app> --env dev')
    expect(fillFix('Use <namespace>/<name>@<major>, {"a":{"b":1}} {other}', { env: 'dev' })).toBe(
      'Use <namespace>/<name>@<major>, {"a":{"b":1}} {other}',
    )
  })

  test('every placeholder in the catalogue is one fillFix knows', () => {
    for (const code of codes) {
      for (const surface of ['action', 'cli'] as const) {
        const text = fillFix(fixTemplate(ERROR_CATALOG[code].fix, surface), {})
        expect({ code, surface, left: /\{[a-z-]+\}/.exec(text)?.[0] ?? null }).toEqual({ code, surface, left: null })
      }
    }
  })
})

describe('fixValuesFrom', () => {
  test('only values that pass their own rule are named; the app follows the ref unless it is given', () => {
    expect(fixValuesFrom({ env: 'dev', ref: 'llm/litellm@1', command: 'run' })).toEqual({
      env: 'dev',
      ref: 'llm/litellm@1',
      app: 'llm-litellm-v1',
      command: 'run',
    })
    expect(fixValuesFrom({ env: 'x y; rm -rf /', ref: 'llm/litellm@v1', app: 'a\nb', command: 'Run it' })).toEqual({
      env: null,
      ref: null,
      app: null,
      command: null,
    })
    expect(fixValuesFrom({ ref: 'llm/litellm@1', app: 'custom' }).app).toBe('custom')
  })
})
