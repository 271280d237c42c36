// Secret values in what the flow writes: masked in the runner's log and replaced by *** in every text, whatever
// writes it (the list grows as the inputs are read).
import { redactor, secretForms } from '../rules/redaction.js'
import { REGISTRY_KEYS } from '../rules/secrets-policy.js'
import type { Settings } from '../rules/settings.js'
import type { Toolkit } from './toolkit.js'

/** The toolkit with every text it is given redacted of the secret values known so far (the list grows as inputs are read). */
export function redacting(kit: Toolkit, secretValues: string[]): Toolkit {
  let known = -1
  let redact = (text: string) => text
  const current = (text: string) => {
    if (known !== secretValues.length) {
      redact = redactor(secretValues)
      known = secretValues.length
    }
    return redact(text)
  }
  return {
    ...kit,
    info: (message) => kit.info(current(message)),
    debug: (message) => kit.debug(current(message)),
    untrusted: (lines) => kit.untrusted(lines.map(current)),
    untrustedStream: () => {
      const stream = kit.untrustedStream()
      return { write: (line) => stream.write(current(line)), end: () => stream.end() }
    },
    annotate: (level, title, message) => kit.annotate(level, title, current(message)),
    setOutput: (name, value) => kit.setOutput(name, current(value)),
    writeSummary: (markdown) => kit.writeSummary(current(markdown)),
  }
}

/** Masks each value in the log (in every form it may be printed in) and returns it for redaction. */
function mask(kit: Toolkit, values: (string | undefined)[]): string[] {
  const secrets = values.filter((v): v is string => v !== undefined && secretForms(v).length > 0)
  for (const form of secrets.flatMap(secretForms)) kit.setSecret(form)
  return secrets
}

export function maskTokens(kit: Toolkit): string[] {
  return mask(kit, [kit.env.MODAL_TOKEN_ID, kit.env.MODAL_TOKEN_SECRET])
}

/**
 * The GitHub token, and the values of variables named like the processor's secrets when the step environment has
 * them (a workflow often exports OPENAI_API_KEY too): masked in the log and removed from everything the action
 * writes, in case a processor or a command prints one. A registry user name is not a secret.
 */
export function maskStepSecrets(kit: Toolkit, settings: Settings): string[] {
  const names = [...settings.toolSecrets.map((s) => s.name), ...REGISTRY_KEYS.filter((key) => key !== 'REGISTRY_USERNAME')]
  // Own variables only: a secret named `constructor` must not read the environment object's prototype.
  return mask(kit, [settings.githubToken, ...names.map((name) => (Object.hasOwn(kit.env, name) ? kit.env[name] : undefined))])
}
