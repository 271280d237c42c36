// Drives the local Modal emulator (emulator/) for the demo, the end-to-end tests and the benchmark: a fresh state
// directory, the reference image in its registry, secrets, and fault rules.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { scratchDir } from './scratch.mjs'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const REFERENCE_PROCESSOR = {
  ref: 'llm/litellm@1',
  image: 'ghcr.io/acme/llm-litellm:1',
  dir: path.join(REPO_ROOT, 'processors', 'llm-litellm'),
}
/** The second reference processor, for fleets. */
export const REPLICATE_PROCESSOR = {
  ref: 'replicate/generic@1',
  image: 'ghcr.io/acme/replicate-generic:1',
  dir: path.join(REPO_ROOT, 'processors', 'replicate-generic'),
}
export const REGISTRY_CREDENTIALS = { username: 'acme-ci', password: 'ghp_registry-token-planted-for-tests' }
export const OPENAI_KEY = 'sk-openai-key-planted-for-tests'
export const REPLICATE_TOKEN = 'r8_replicate-token-planted-for-tests'

function check(result, what) {
  if (result.status !== 0) {
    throw new Error(`${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`)
  }
  return result.stdout
}

export class Emulator {
  /**
   * A new, empty emulator state with the given environments (the first one, `main`, is the default). Its home is a
   * scratch folder (scratch.mjs): the demo, the bench and the tests remove it when they end; `ci-emulator.mjs` keeps it.
   */
  constructor({ environments = ['main', 'dev'], workspace = 'acme' } = {}) {
    this.home = scratchDir('modal-emulator-')
    this.baseEnv = {
      PATH: `${path.join(REPO_ROOT, 'testing', 'emulator', 'bin')}${path.delimiter}${process.env.PATH}`,
      PYTHONPATH: path.join(REPO_ROOT, 'testing', 'emulator', 'python'),
      MODAL_EMULATOR_HOME: this.home,
    }
    const envFlags = environments.flatMap((env) => ['--env', env])
    const init = JSON.parse(this.admin('init', '--workspace', workspace, ...envFlags))
    this.workspace = init.workspace
    this.token = { MODAL_TOKEN_ID: init.token_id, MODAL_TOKEN_SECRET: init.token_secret }
  }

  /** A new emulator whose state starts as a copy of `source`'s (same token): a prepared world without re-creating it. */
  static copyOf(source) {
    const copy = Object.create(Emulator.prototype)
    copy.home = scratchDir('modal-emulator-')
    cpSync(source.home, copy.home, { recursive: true })
    copy.baseEnv = { ...source.baseEnv, MODAL_EMULATOR_HOME: copy.home }
    copy.workspace = source.workspace
    copy.token = source.token
    return copy
  }

  /** The environment a step needs to reach this emulator: the client on PATH and the token. */
  get env() {
    return { ...this.baseEnv, ...this.token }
  }

  admin(...args) {
    return check(
      spawnSync(path.join(REPO_ROOT, 'testing', 'emulator', 'bin', 'modal-emulator'), args, {
        env: { ...process.env, ...this.baseEnv },
        encoding: 'utf8',
      }),
      `modal-emulator ${args[0]}`,
    )
  }

  /** Runs the emulated `modal` CLI; returns status, stdout and stderr. */
  modal(...args) {
    return spawnSync('modal', args, { env: { ...process.env, ...this.env, COLUMNS: '1000' }, encoding: 'utf8' })
  }

  /** Pushes the reference processor's image as a private GHCR image; returns the digest-pinned ref. */
  pushReferenceImage(options) {
    return this.pushImage(REFERENCE_PROCESSOR, options)
  }

  /** Pushes a processor's folder as its image (private: behind the planted registry credentials); the pinned ref. */
  pushImage({ image, dir }, { visibility = 'private' } = {}) {
    const auth =
      visibility === 'private'
        ? ['--private', '--username', REGISTRY_CREDENTIALS.username, '--password', REGISTRY_CREDENTIALS.password]
        : []
    return this.admin('push-image', image, dir, ...auth).trim()
  }

  createSecret(environment, name, pairs) {
    const kv = Object.entries(pairs).map(([k, v]) => `${k}=${v}`)
    return check(this.modal('secret', 'create', name, ...kv, '--env', environment), `modal secret create ${name}`)
  }

  /** Everything llm/litellm@1 needs in an environment: registry credentials and the OpenAI key. */
  prepareEnvironment(environment) {
    this.createSecret(environment, 'REGISTRY_AUTH', {
      REGISTRY_USERNAME: REGISTRY_CREDENTIALS.username,
      REGISTRY_PASSWORD: REGISTRY_CREDENTIALS.password,
    })
    this.createSecret(environment, 'OPENAI_API_KEY', { OPENAI_API_KEY: OPENAI_KEY })
  }

  addFault(target, action, { times, message, seconds } = {}) {
    const extra = [
      ...(times === undefined ? [] : ['--times', String(times)]),
      ...(message === undefined ? [] : ['--message', message]),
      ...(seconds === undefined ? [] : ['--seconds', String(seconds)]),
    ]
    this.admin('fault', 'add', '--target', target, '--action', action, ...extra)
  }

  /** The spawned calls: id, app, version, status and their container's state (`modal-emulator function-calls`). */
  functionCalls() {
    return JSON.parse(this.admin('function-calls', '--json'))
  }

  /** Apps, versions and secret names (never values) as the emulator holds them. */
  state() {
    return JSON.parse(this.admin('state', '--json'))
  }

  /** How many processes have loaded the Modal client (the emulator logs each one; containers not). */
  clientLoads() {
    const log = path.join(this.home, 'client-loads.log')
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0
  }

  resetClientLoads() {
    writeFileSync(path.join(this.home, 'client-loads.log'), '')
  }

  /**
   * The processes still running once those that were killed have had time to go: a killed process leaves /proc a
   * little after its killer returns, later on a loaded machine. Empty as soon as they are gone; else, after the
   * deadline, the ones that stayed.
   */
  async processesLeftRunning(deadlineMs = 30000) {
    const deadline = Date.now() + deadlineMs
    while (this.runningProcesses().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    return this.runningProcesses()
  }

  /** Processes still running that were started for this emulator (its home is in their environment). */
  runningProcesses() {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          const environ = readFileSync(`/proc/${pid}/environ`, 'utf8')
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
          return environ.includes(`MODAL_EMULATOR_HOME=${this.home}\0`) && !/\) Z /.test(stat)
        } catch {
          return false
        }
      })
      .map(Number)
  }

  /** The secret values planted in this emulator, for tests that prove none of them leaks. */
  static plantedSecretValues() {
    return [REGISTRY_CREDENTIALS.password, OPENAI_KEY, REPLICATE_TOKEN]
  }
}
