// OCI image references, and the policy for which images need registry credentials.

export interface ImageRef {
  registry: string
  repository: string
  tag: string | null
  digest: string
}

export type ImageVisibility = 'auto' | 'private' | 'public'

export const IMAGE_REF_EXAMPLE = 'ghcr.io/acme/llm-litellm@sha256:' + '0123456789abcdef'.repeat(4)

const REGISTRY_HOST = /^(localhost|[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+)(:[0-9]{1,5})?$|^[a-zA-Z0-9-]+:[0-9]{1,5}$/
const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const DIGEST = /^sha256:[0-9a-f]{64}$/

export type ImageRefError = { code: 'ERR_UNPINNED_IMAGE' | 'ERR_INVALID_IMAGE_REF'; message: string }

function invalid(ref: string, reason: string): { ok: false; error: ImageRefError } {
  return {
    ok: false,
    error: {
      code: 'ERR_INVALID_IMAGE_REF',
      message: `Invalid image-ref '${ref}': ${reason}. Expected <registry>/<repository>[:tag]@sha256:<64 hex>, e.g. ${IMAGE_REF_EXAMPLE}.`,
    },
  }
}

export function parseImageRef(ref: string): { ok: true; value: ImageRef } | { ok: false; error: ImageRefError } {
  if (ref === '') return invalid(ref, 'it is empty')
  const at = ref.indexOf('@')
  if (at === -1) {
    return {
      ok: false,
      error: {
        code: 'ERR_UNPINNED_IMAGE',
        message:
          `image-ref '${ref}' is not pinned by digest: a tag can move, so the deployed code would not be the code you tested. ` +
          `Pin it as <repository>[:tag]@sha256:<digest>, e.g. ${IMAGE_REF_EXAMPLE} (docker buildx imagetools inspect <ref> prints the digest).`,
      },
    }
  }
  const name = ref.slice(0, at)
  const digest = ref.slice(at + 1)
  if (!DIGEST.test(digest)) return invalid(ref, "the digest must be 'sha256:' followed by 64 lower-case hex digits")
  const parts = name.split('/')
  const registry = parts.length > 1 && REGISTRY_HOST.test(parts[0]) ? parts.shift()! : 'docker.io'
  const last = parts.pop() ?? ''
  const colon = last.lastIndexOf(':')
  const tag = colon === -1 ? null : last.slice(colon + 1)
  parts.push(colon === -1 ? last : last.slice(0, colon))
  if (tag !== null && !TAG.test(tag)) return invalid(ref, `the tag '${tag}' is not a valid tag`)
  if (parts.some((part) => !PATH_COMPONENT.test(part))) {
    return invalid(ref, 'the repository path must be lower-case components of letters, digits and separators (. _ -)')
  }
  if (name.length > 255) return invalid(ref, 'the repository name is longer than 255 characters')
  return { ok: true, value: { registry, repository: parts.join('/'), tag, digest } }
}

// Registries that serve only public images; Docker Hub's official images live under library/.
const PUBLIC_ONLY_REGISTRIES = new Set(['public.ecr.aws', 'mcr.microsoft.com'])

/**
 * Whether pulling the image needs the REGISTRY_AUTH secret. `auto` treats every image as private (GHCR and most
 * registries hold private images) except on public-only registries and Docker Hub's official images.
 */
export function imageNeedsCredentials(image: ImageRef, visibility: ImageVisibility): boolean {
  if (visibility !== 'auto') return visibility === 'private'
  if (PUBLIC_ONLY_REGISTRIES.has(image.registry)) return false
  const dockerHubOfficial = image.registry === 'docker.io' && (!image.repository.includes('/') || image.repository.startsWith('library/'))
  return !dockerHubOfficial
}
