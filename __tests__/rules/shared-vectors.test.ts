// The rules that exist in TypeScript and, for deploys by hand, in the Modal module too: both languages read the same
// vectors (modal/tests/test_shared_vectors.py reads these files as well), so the two cannot drift apart.
import { readFileSync } from 'node:fs'
import { parseImageRef } from '../../src/rules/image-ref.js'
import { isValidModalAppName } from '../../src/rules/naming.js'
import { isValidSecretName, parseToolSecrets, REGISTRY_SECRET, runtimeOwnedNames } from '../../src/rules/secrets-policy.js'

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../test-vectors/${file}`, import.meta.url), 'utf8'))
const images: { accept: string[]; reject: { ref: string; why: string }[] } = read('image-refs.json')
const names: {
  registry_secret_default: string
  secret_names: { accept: string[]; reject: string[] }
  modal_object_names: { accept: string[]; reject: string[] }
} = read('names.json')
const toolSecrets: { runtime_owned: { names: string[]; prefixes: string[] }; refuse: string[]; accept: string[] } =
  read('tool-secret-names.json')

describe('image refs (test-vectors/image-refs.json)', () => {
  test.each(images.accept)('accepts %s', (ref) => {
    expect(parseImageRef(ref).ok).toBe(true)
  })
  test.each(images.reject)('rejects $why', ({ ref }) => {
    expect(parseImageRef(ref).ok).toBe(false)
  })
})

describe('names (test-vectors/names.json)', () => {
  test('secret names', () => {
    expect(names.secret_names.accept.filter((name) => !isValidSecretName(name))).toEqual([])
    expect(names.secret_names.reject.filter((name) => isValidSecretName(name))).toEqual([])
  })

  test('Modal object names (apps, the registry secret)', () => {
    expect(names.modal_object_names.accept.filter((name) => !isValidModalAppName(name))).toEqual([])
    expect(names.modal_object_names.reject.filter((name) => isValidModalAppName(name))).toEqual([])
  })

  test('the registry secret’s default name', () => {
    expect(REGISTRY_SECRET).toBe(names.registry_secret_default)
  })
})

describe('tool secret names the runtime owns (test-vectors/tool-secret-names.json)', () => {
  test('the same names and prefixes', () => {
    expect(runtimeOwnedNames()).toEqual(toolSecrets.runtime_owned)
  })

  test.each(toolSecrets.refuse)('refuses %s, saying why and what to do', (name) => {
    const parsed = parseToolSecrets(`OPENAI_API_KEY,${name}?`)
    expect(parsed.ok).toBe(false)
    expect(!parsed.ok && parsed.error).toMatch(
      new RegExp(
        `^tool-secrets lists ${name}, a variable the runtime owns \\(.+\\): a secret of that name would override it inside the container\\. Rename the secret \\(e\\.g\\. MYTOOL_${name}\\) and read it under the new name in the processor\\.$`,
      ),
    )
  })

  test('accepts names that only look alike', () => {
    expect(parseToolSecrets(toolSecrets.accept.join('\n'))).toEqual({
      ok: true,
      value: toolSecrets.accept.map((name) => ({ name, optional: false })),
    })
  })
})
