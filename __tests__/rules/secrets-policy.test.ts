import { parseImageRef } from '../../src/rules/image-ref.js'
import { requiredSecrets, secretCreateCommand } from '../../src/rules/secrets-policy.js'

const image = (ref: string) => {
  const parsed = parseImageRef(`${ref}@sha256:${'ef'.repeat(32)}`)
  if (!parsed.ok) throw new Error(parsed.error.message)
  return parsed.value
}

describe('secrets policy', () => {
  test('a private image needs REGISTRY_AUTH; each tool secret holds a key of its own name', () => {
    const secrets = requiredSecrets({
      image: image('ghcr.io/acme/img'),
      imageVisibility: 'auto',
      toolSecrets: [
        { name: 'OPENAI_API_KEY', optional: false },
        { name: 'LITELLM_API_BASE', optional: true },
      ],
    })
    expect(secrets).toEqual([
      { name: 'REGISTRY_AUTH', keys: ['REGISTRY_USERNAME', 'REGISTRY_PASSWORD'], optional: false },
      { name: 'OPENAI_API_KEY', keys: ['OPENAI_API_KEY'], optional: false },
      { name: 'LITELLM_API_BASE', keys: ['LITELLM_API_BASE'], optional: true },
    ])
  })

  test('a public image needs no registry secret', () => {
    expect(requiredSecrets({ image: image('python'), imageVisibility: 'auto', toolSecrets: [] })).toEqual([])
  })

  test('the fix command uses the real CLI syntax (KEY=VALUE, --env) with placeholders', () => {
    expect(secretCreateCommand({ name: 'REGISTRY_AUTH', keys: ['REGISTRY_USERNAME', 'REGISTRY_PASSWORD'], optional: false }, 'dev')).toBe(
      "modal secret create REGISTRY_AUTH REGISTRY_USERNAME='<registry-username>' REGISTRY_PASSWORD='<registry-token-with-read:packages>' --env dev",
    )
    expect(secretCreateCommand({ name: 'OPENAI_API_KEY', keys: ['OPENAI_API_KEY'], optional: false }, 'main', true)).toBe(
      "modal secret create OPENAI_API_KEY OPENAI_API_KEY='<openai_api_key>' --env main --force",
    )
  })
})
