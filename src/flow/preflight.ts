// The preflight: token, environment, every secret and the app, checked through the step's Modal session before
// anything changes.
import { ActionError } from '../rules/errors.js'
import { requiredSecrets, secretCreateCommand, type SecretRequirement } from '../rules/secrets-policy.js'
import type { Settings } from '../rules/settings.js'
import {
  isSupportedClientVersion,
  MINIMUM_CLIENT_VERSION,
  type ModalApp,
  type ModalClient,
  type PreflightFindings,
} from '../modal/client.js'

/** What the preflight found: the client, the secrets, and the app as it is before this run changes anything. */
export interface Preflight {
  clientVersion: string | null
  secrets: PreflightFindings['secrets']
  app: PreflightFindings['app']
  /** The live version before this run; null when the app was never deployed. */
  liveVersion: number | null
}

/** Token, environment, every secret and the app's history, through the step's Modal session. */
export async function runPreflight(client: ModalClient, app: ModalApp, settings: Settings): Promise<Preflight> {
  const found = await client.preflight(app, requiredSecrets(settings), settings.timeouts.preflight * 1000)
  return { ...found, liveVersion: found.app.exists ? (found.app.history[0]?.version ?? null) : null }
}

/** What stops the run before anything changes: an old client, every missing secret at once, no app to call. */
export function preflightProblems(preflight: Preflight, settings: Settings): ActionError[] {
  if (preflight.clientVersion !== null && !isSupportedClientVersion(preflight.clientVersion)) {
    return [
      new ActionError(
        'ERR_MODAL_CLIENT_TOO_OLD',
        `The Modal client on this runner is ${preflight.clientVersion}; this action needs ${MINIMUM_CLIENT_VERSION} or later (version-pinned calls). Install it with: pip install modal==${settings.modalVersion}`,
      ),
    ]
  }
  const problems = secretProblems(requiredSecrets(settings), preflight, settings.environment)
  if (!settings.deploy && !preflight.app.exists) {
    problems.push(
      new ActionError(
        'ERR_FUNCTION_NOT_FOUND',
        `deploy is false but app '${settings.appName}' is not deployed in environment '${settings.environment}', so there is no run function to call. Check with: modal app list --env ${settings.environment}`,
      ),
    )
  }
  return problems
}

export const secretsFound = (preflight: Preflight) => preflight.secrets.filter((s) => s.status === 'found').map((s) => s.name)
export const optionalSecretsMissing = (preflight: Preflight) =>
  preflight.secrets.filter((s) => s.optional && s.status !== 'found').map((s) => s.name)

function secretProblems(secrets: SecretRequirement[], found: Preflight, environment: string): ActionError[] {
  return found.secrets.flatMap((status) => {
    const secret = secrets.find((s) => s.name === status.name)
    if (!secret || status.status === 'found' || status.optional) return []
    if (status.status === 'missing') {
      return [
        new ActionError(
          'ERR_MISSING_SECRET',
          `Modal secret '${secret.name}' does not exist in environment '${environment}'. Create it with: ${secretCreateCommand(secret, environment)}`,
        ),
      ]
    }
    return [
      new ActionError(
        'ERR_SECRET_MISSING_KEYS',
        `Modal secret '${secret.name}' in environment '${environment}' lacks key(s) ${status.missingKeys.join(', ')}. Recreate it with: ${secretCreateCommand(secret, environment, true)}`,
      ),
    ]
  })
}
