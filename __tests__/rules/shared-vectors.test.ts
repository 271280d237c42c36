// The rules that exist in TypeScript and, for deploys by hand, in the Modal module too: both languages read the same
// vectors (modal/tests/test_shared_vectors.py reads these files as well), so the two cannot drift apart.
import { readFileSync } from 'node:fs'
import { parseImageRef } from '../../src/rules/image-ref.js'
import { isValidModalAppName } from '../../src/rules/naming.js'
import { isValidSecretName, REGISTRY_SECRET } from '../../src/rules/secrets-policy.js'

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../test-vectors/${file}`, import.meta.url), 'utf8'))
const images: { accept: string[]; reject: { ref: string; why: string }[] } = read('image-refs.json')
const names: {
  registry_secret_default: string
  secret_names: { accept: string[]; reject: string[] }
  modal_object_names: { accept: string[]; reject: string[] }
} = read('names.json')

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
