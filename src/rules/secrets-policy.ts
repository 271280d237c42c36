// The secrets policy: which Modal secrets a deploy needs, and the command that creates each one.
import { imageNeedsCredentials } from './image-ref.js'
import { bounded, oneLine } from './untrusted-text.js'
import type { Settings } from './settings.js'

export const REGISTRY_SECRET = 'REGISTRY_AUTH'
export const REGISTRY_KEYS = ['REGISTRY_USERNAME', 'REGISTRY_PASSWORD']

/** A secret's name, which for a tool secret is also the one key it holds: an environment variable name. */
export function isValidSecretName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)
}

export interface SecretRequirement {
  name: string
  keys: string[]
  optional: boolean
}

/** Secret names equal the variables processors read, and a tool secret holds one key of its own name. */
export function requiredSecrets(settings: Pick<Settings, 'image' | 'imageVisibility' | 'toolSecrets'>): SecretRequirement[] {
  const registry = imageNeedsCredentials(settings.image, settings.imageVisibility)
    ? [{ name: REGISTRY_SECRET, keys: REGISTRY_KEYS, optional: false }]
    : []
  return [...registry, ...settings.toolSecrets.map((s) => ({ name: s.name, keys: [s.name], optional: s.optional }))]
}

const PLACEHOLDERS = new Map([
  ['REGISTRY_USERNAME', '<registry-username>'],
  ['REGISTRY_PASSWORD', '<registry-token-with-read:packages>'],
])

/** The exact command that fixes a missing secret; values are placeholders, never real values. */
export function secretCreateCommand(secret: SecretRequirement, environment: string, overwrite = false): string {
  const pairs = secret.keys.map((key) => `${key}='${PLACEHOLDERS.get(key) ?? `<${key.toLowerCase()}>`}'`)
  return ['modal secret create', secret.name, ...pairs, '--env', environment, ...(overwrite ? ['--force'] : [])].join(' ')
}

// A tool secret becomes an environment variable of the container, over whatever the container had under that name.
// These names belong to the runtime, with why (test-vectors/tool-secret-names.json holds the same list for Python).
const RUNTIME_OWNED: { names: string[]; prefixes: string[]; why: string }[] = [
  {
    names: ['PROCESSOR_REF', 'IMAGE_REF', 'TOOL_SECRETS', 'PROCESSOR_COMMAND', 'PROCESSOR_TIMEOUT', 'REGISTRY_SECRET'],
    prefixes: ['MODAL_'],
    why: 'the Modal module and Modal set it in the container and read it there',
  },
  {
    names: ['PATH', 'NODE_OPTIONS', 'NODE_PATH', 'BASH_ENV', 'ENV', 'IFS', 'SHELL'],
    prefixes: ['LD_', 'PYTHON'],
    why: 'it decides which program runs and what it loads at start',
  },
  {
    names: ['HOME', 'USER', 'LOGNAME', 'PWD', 'OLDPWD', 'HOSTNAME', 'TMPDIR'],
    prefixes: [],
    why: 'the container sets it for the processor',
  },
  { names: [], prefixes: ['GITHUB_', 'RUNNER_', 'ACTIONS_'], why: 'the GitHub runner sets it' },
]

/** Why the runtime owns the variable `name`, or null when a secret may take that name. */
export function runtimeOwnership(name: string): string | null {
  const owner = RUNTIME_OWNED.find((group) => group.names.includes(name) || group.prefixes.some((prefix) => name.startsWith(prefix)))
  return owner?.why ?? null
}

/** The names and prefixes (shown as `LD_*`) of runtime-owned variables, for the docs and the shared vectors. */
export function runtimeOwnedNames(): { names: string[]; prefixes: string[] } {
  return { names: RUNTIME_OWNED.flatMap((group) => group.names), prefixes: RUNTIME_OWNED.flatMap((group) => group.prefixes) }
}

export interface ToolSecret {
  name: string
  optional: boolean
}

/** `tool-secrets`: names separated by commas or newlines, a trailing `?` marking one optional. */
export function parseToolSecrets(raw: string): { ok: true; value: ToolSecret[] } | { ok: false; error: string } {
  const entries = raw
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  const secrets: ToolSecret[] = []
  for (const entry of entries) {
    const optional = entry.endsWith('?')
    const name = optional ? entry.slice(0, -1) : entry
    if (!isValidSecretName(name)) {
      return {
        ok: false,
        error: `Invalid tool-secrets entry '${oneLine(bounded(entry, 200))}': a secret name is letters, digits and '_', not starting with a digit, at most 64 characters (secret names equal the environment variables processors read, e.g. OPENAI_API_KEY).`,
      }
    }
    if (secrets.some((s) => s.name === name)) return { ok: false, error: `tool-secrets lists '${name}' twice.` }
    const owned = runtimeOwnership(name)
    if (owned !== null) {
      return {
        ok: false,
        error: `tool-secrets lists ${name}, a variable the runtime owns (${owned}): a secret of that name would override it inside the container. Rename the secret (e.g. MYTOOL_${name}) and read it under the new name in the processor.`,
      }
    }
    if (name === REGISTRY_SECRET) {
      return {
        ok: false,
        error: `tool-secrets lists ${REGISTRY_SECRET}, the registry secret: the action checks and attaches it itself when the image is private (image-visibility). Remove it from tool-secrets.`,
      }
    }
    secrets.push({ name, optional })
  }
  return { ok: true, value: secrets }
}
