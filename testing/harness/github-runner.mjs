// Runs the bundled action the way the GitHub Actions runner does for a JavaScript action: every declared
// input as INPUT_<NAME> with defaults, the GITHUB_* command files, cwd = a workspace, stdin closed. Then reads the
// exit code, annotations, masks, outputs and the job summary. Used by the end-to-end tests, the demo and the bench.
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { clearInterval, setInterval } from 'node:timers'
import { parse as parseYaml } from 'yaml'
import { scratchDir } from './scratch.mjs'

export function readActionMetadata(actionDir) {
  return parseYaml(readFileSync(path.join(actionDir, 'action.yml'), 'utf8'))
}

/** The runner's rule: spaces become underscores, upper case, hyphens kept. */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

const COMMAND = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/

function unescapeData(text) {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text) {
  return unescapeData(text).replace(/%3A/g, ':').replace(/%2C/g, ',')
}

/** Workflow commands in stdout, honouring ::stop-commands:: fences like the runner. */
export function parseWorkflowCommands(stdout) {
  const annotations = []
  const masks = []
  const groups = []
  const logLines = []
  let stopToken = null
  for (const line of stdout.split('\n')) {
    if (stopToken !== null) {
      if (line === `::${stopToken}::`) stopToken = null
      else logLines.push(line)
      continue
    }
    const match = COMMAND.exec(line)
    if (!match) {
      logLines.push(line)
      continue
    }
    const [, command, rawProperties = '', data] = match
    const properties = Object.fromEntries(
      rawProperties
        .split(',')
        .filter(Boolean)
        .map((pair) => {
          const at = pair.indexOf('=')
          return [pair.slice(0, at), unescapeProperty(pair.slice(at + 1))]
        }),
    )
    if (['error', 'warning', 'notice'].includes(command))
      annotations.push({ level: command, title: properties.title ?? '', message: unescapeData(data), properties })
    else if (command === 'add-mask') masks.push(unescapeData(data))
    else if (command === 'group') groups.push(unescapeData(data))
    else if (command === 'stop-commands') stopToken = data
    else if (command !== 'endgroup' && command !== 'debug') logLines.push(line)
  }
  return { annotations, masks, groups, logLines }
}

/** The GITHUB_OUTPUT file: `name<<delimiter` blocks (and plain `name=value` lines). */
export function parseOutputFile(text) {
  const outputs = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const value = []
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i])
      outputs[heredoc[1]] = value.join('\n')
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=')
      outputs[lines[i].slice(0, at)] = lines[i].slice(at + 1)
    }
  }
  return outputs
}

/** The runner evaluates `${{ … }}` in defaults; the harness knows the few contexts an action default may use. */
function evaluateDefault(value, contexts) {
  return String(value ?? '').replace(/\$\{\{\s*([a-z.]+)\s*\}\}/g, (_, name) => {
    if (!(name in contexts)) throw new Error(`the harness cannot evaluate \${{ ${name} }} in an input default`)
    return contexts[name]
  })
}

/**
 * Runs `node <actionDir>/<runs.main>`; resolves with everything a workflow (and its reader) would see.
 * `env` is the step's environment on top of a minimal runner environment; `inputs` are the `with:` values.
 */
export async function runAction({
  actionDir,
  inputs = {},
  env = {},
  githubToken = '',
  cancelWhenStdoutIncludes = null,
  cancelWhen = null,
  timeoutMs = 180000,
}) {
  const metadata = readActionMetadata(actionDir)
  const base = scratchDir('runner-')
  const workspace = path.join(base, 'workspace')
  const runnerTemp = path.join(base, 'temp')
  const commandDir = path.join(base, 'commands')
  for (const dir of [workspace, runnerTemp, commandDir]) mkdirSync(dir, { recursive: true })
  const files = {}
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_PATH']) {
    files[name] = path.join(commandDir, name.toLowerCase())
    writeFileSync(files[name], '')
  }
  const eventPath = path.join(commandDir, 'event.json')
  writeFileSync(eventPath, '{}')
  const inputEnv = {}
  for (const [name, spec] of Object.entries(metadata.inputs ?? {})) {
    inputEnv[inputVariable(name)] = String(inputs[name] ?? evaluateDefault(spec?.default, { 'github.token': githubToken }))
  }
  const childEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'acme/processors',
    GITHUB_SHA: '3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'deploy',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: eventPath,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    ...files,
    ...inputEnv,
    ...env,
  }
  const main = path.join(actionDir, metadata.runs.main)
  const started = Date.now()
  let cancelledAt = null
  const { exitCode, stdout, stderr, signal } = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], { cwd: workspace, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      // The runner cancels a job by signalling the action's process (SIGINT, then SIGTERM).
      if (cancelWhenStdoutIncludes && cancelledAt === null && out.includes(cancelWhenStdoutIncludes)) {
        cancelledAt = Date.now()
        child.kill('SIGTERM')
      }
    })
    child.stderr.on('data', (chunk) => (err += chunk))
    // A condition outside the action (the emulator's state): checked every 100 ms until it holds, then the cancel.
    const watcher =
      cancelWhen &&
      setInterval(() => {
        if (cancelledAt !== null || !cancelWhen()) return
        cancelledAt = Date.now()
        child.kill('SIGTERM')
      }, 100)
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code, sig) => {
      clearTimeout(timer)
      if (watcher) clearInterval(watcher)
      resolve({ exitCode: code, stdout: out, stderr: err, signal: sig })
    })
  })
  const ended = Date.now()
  return {
    exitCode,
    signal,
    wallMs: ended - started,
    msAfterCancel: cancelledAt === null ? null : ended - cancelledAt,
    stdout,
    stderr,
    ...parseWorkflowCommands(stdout),
    outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    workspace,
    base,
  }
}
