// The secrets policy: which Modal secrets a deploy needs, and the command that creates each one.
import { imageNeedsCredentials } from './image-ref.js'
import type { Settings } from '../action/inputs.js'

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

const PLACEHOLDERS: Record<string, string> = {
  REGISTRY_USERNAME: '<registry-username>',
  REGISTRY_PASSWORD: '<registry-token-with-read:packages>',
}

/** The exact command that fixes a missing secret; values are placeholders, never real values. */
export function secretCreateCommand(secret: SecretRequirement, environment: string, overwrite = false): string {
  const pairs = secret.keys.map((key) => `${key}='${PLACEHOLDERS[key] ?? `<${key.toLowerCase()}>`}'`)
  return ['modal secret create', secret.name, ...pairs, '--env', environment, ...(overwrite ? ['--force'] : [])].join(' ')
}
