import { imageNeedsCredentials, parseImageRef } from '../../src/rules/image-ref.js'

const DIGEST = 'sha256:' + 'ab'.repeat(32)

describe('parseImageRef', () => {
  test('accepts a digest-pinned GHCR reference with a tag', () => {
    expect(parseImageRef(`ghcr.io/acme/llm-litellm:1.2.0@${DIGEST}`)).toEqual({
      ok: true,
      value: { registry: 'ghcr.io', repository: 'acme/llm-litellm', tag: '1.2.0', digest: DIGEST },
    })
  })

  test('accepts a registry with a port and no tag', () => {
    const parsed = parseImageRef(`localhost:5000/team/img@${DIGEST}`)
    expect(parsed).toEqual({ ok: true, value: { registry: 'localhost:5000', repository: 'team/img', tag: null, digest: DIGEST } })
  })

  test('defaults to Docker Hub', () => {
    const parsed = parseImageRef(`python:3.12@${DIGEST}`)
    expect(parsed.ok && parsed.value).toMatchObject({ registry: 'docker.io', repository: 'python', tag: '3.12' })
  })

  test('rejects a tag-only reference as unpinned, with its own code and the way to get a digest', () => {
    const parsed = parseImageRef('ghcr.io/acme/llm-litellm:1')
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error.code).toBe('ERR_UNPINNED_IMAGE')
    expect(parsed.error.message).toContain('not pinned by digest')
    expect(parsed.error.message).toContain('imagetools inspect')
  })

  test.each([
    ['a short digest', 'ghcr.io/acme/img@sha256:abc'],
    ['an upper-case digest', `ghcr.io/acme/img@sha256:${'AB'.repeat(32)}`],
    ['another algorithm', `ghcr.io/acme/img@md5:${'ab'.repeat(16)}`],
    ['an upper-case repository', `ghcr.io/Acme/img@${DIGEST}`],
    ['a shell metacharacter', `ghcr.io/acme/img;rm@${DIGEST}`],
    ['a newline', `ghcr.io/acme/img\n@${DIGEST}`],
    ['an empty value', ''],
    ['a bad tag', `ghcr.io/acme/img:-x@${DIGEST}`],
  ])('rejects %s as invalid', (_, ref) => {
    const parsed = parseImageRef(ref)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) {
      expect(parsed.error.code).toBe('ERR_INVALID_IMAGE_REF')
      expect(parsed.error.message).toMatch(/^Invalid image-ref .*e\.g\. ghcr\.io\//s)
    }
  })
})

describe('imageNeedsCredentials', () => {
  const image = (ref: string) => {
    const parsed = parseImageRef(`${ref}@${DIGEST}`)
    if (!parsed.ok) throw new Error(parsed.error.message)
    return parsed.value
  }

  test('auto: GHCR and private registries need REGISTRY_AUTH', () => {
    expect(imageNeedsCredentials(image('ghcr.io/acme/img'), 'auto')).toBe(true)
    expect(imageNeedsCredentials(image('123.dkr.ecr.us-east-1.amazonaws.com/img'), 'auto')).toBe(true)
    expect(imageNeedsCredentials(image('acme/img'), 'auto')).toBe(true)
  })

  test('auto: public-only registries and Docker Hub official images do not', () => {
    expect(imageNeedsCredentials(image('public.ecr.aws/acme/img'), 'auto')).toBe(false)
    expect(imageNeedsCredentials(image('python:3.12'), 'auto')).toBe(false)
    expect(imageNeedsCredentials(image('docker.io/library/python'), 'auto')).toBe(false)
  })

  test('an explicit visibility wins', () => {
    expect(imageNeedsCredentials(image('ghcr.io/acme/img'), 'public')).toBe(false)
    expect(imageNeedsCredentials(image('python'), 'private')).toBe(true)
  })
})
