// The processor naming rule, mirrored by modal/processor_naming.py; both suites read test-vectors/app-names.json.

export interface ProcessorRef {
  namespace: string
  name: string
  major: number
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

const NAMESPACE_MAX_LENGTH = 24
const NAME_MAX_LENGTH = 32
const MAJOR_MAX = 9999

export const PROCESSOR_REF_EXAMPLE = 'llm/litellm@1'

function rejectRef(ref: string, reason: string): Parsed<ProcessorRef> {
  return {
    ok: false,
    error: `Invalid processor ref '${ref}': ${reason}. Expected <namespace>/<name>@<major>, e.g. ${PROCESSOR_REF_EXAMPLE}.`,
  }
}

/** Splits a ref into its parts; the first problem found is the reason (same order as the Python rule). */
export function parseProcessorRef(ref: string): Parsed<ProcessorRef> {
  const reason = characterProblem(ref)
  if (reason) return rejectRef(ref, reason)
  const match = /^([^/@]*)\/([^/@]*)@([^/@]*)$/.exec(ref)
  if (!match) return rejectRef(ref, structureProblem(ref))
  const [, namespace, name, major] = match
  const problem = namespaceProblem(namespace) ?? nameProblem(name) ?? majorProblem(major)
  if (problem) return rejectRef(ref, problem)
  return { ok: true, value: { namespace, name, major: Number(major) } }
}

// Character checks come first so hostile input (shell metacharacters, newlines, look-alike Unicode) is named
// for what it is.
function characterProblem(ref: string): string | null {
  if (ref === '') return 'empty ref'
  if (/[\s\p{C}]/u.test(ref)) return 'contains whitespace or control characters'
  if ([...ref].some((char) => char.codePointAt(0)! > 0x7f)) return 'contains non-ASCII characters'
  if (/[A-Z]/.test(ref)) return 'contains upper-case letters'
  if (!/^[a-z0-9/@-]*$/.test(ref)) return "contains characters other than a-z, 0-9, '-', '/' and '@'"
  return null
}

function count(text: string, char: string): number {
  return text.split(char).length - 1
}

function structureProblem(ref: string): string {
  if (!ref.includes('@')) return 'missing @<major>'
  if (count(ref, '@') > 1) return "more than one '@'"
  if (!ref.includes('/')) return 'missing <namespace>/'
  if (count(ref, '/') > 1) return "more than one '/'"
  return "'/' must come before '@'"
}

function namespaceProblem(namespace: string): string | null {
  if (namespace === '') return 'empty namespace'
  if (namespace.length > NAMESPACE_MAX_LENGTH) return `namespace longer than ${NAMESPACE_MAX_LENGTH} characters`
  if (namespace.includes('-')) return "namespace must not contain '-'"
  if (!/^[a-z]/.test(namespace)) return 'namespace must start with a letter'
  return null
}

function nameProblem(name: string): string | null {
  if (name === '') return 'empty name'
  if (name.length > NAME_MAX_LENGTH) return `name longer than ${NAME_MAX_LENGTH} characters`
  if (name.startsWith('-') || name.endsWith('-')) return "name must not start or end with '-'"
  if (name.includes('--')) return "name must not contain '--'"
  if (!/^[a-z]/.test(name)) return 'name must start with a letter'
  return null
}

function majorProblem(major: string): string | null {
  if (major === '') return 'empty major'
  if (!/^[0-9]+$/.test(major)) return 'major must be a number'
  if (major.length > 1 && major.startsWith('0')) return 'major must not have leading zeros'
  if (Number(major) > MAJOR_MAX) return `major must be at most ${MAJOR_MAX}`
  return null
}

/** The app name every deploy of a processor uses. */
export function appNameOf({ namespace, name, major }: ProcessorRef): string {
  return `${namespace}-${name}-v${major}`
}

/** `llm/litellm@1` → `llm-litellm-v1`. */
export function modalAppNameFromRef(ref: string): Parsed<string> {
  const parsed = parseProcessorRef(ref)
  return parsed.ok ? { ok: true, value: appNameOf(parsed.value) } : parsed
}

// Modal's object-name rule (docs/modal-client.md#names): also applied to a user's app-name override.
const MODAL_OBJECT_NAME = /^[a-zA-Z0-9._-]{1,64}$/
const MODAL_APP_ID = /^ap-[a-zA-Z0-9]{22}$/

export function isValidModalAppName(name: string): boolean {
  return MODAL_OBJECT_NAME.test(name) && !MODAL_APP_ID.test(name)
}

// Modal's environment-name rule (docs/modal-client.md#names).
export function isValidModalEnvironmentName(name: string): boolean {
  return name.length <= 64 && /^[a-zA-Z0-9][a-zA-Z0-9._-]+$/.test(name) && !/^en-/i.test(name)
}

// `modal deploy --tag` rule (docs/modal-client.md#names).
export function isValidDeployTag(tag: string): boolean {
  return /^[a-zA-Z0-9._-]{1,50}$/.test(tag)
}

// Apps that stand beside a processor's live app: a pull request's preview (`-pr<N>`) and a verify-first release's
// candidate (`-candidate`). A processor's own app name always ends in `-v<major>`, so neither suffix can name one.
// One rule, mirrored by modal/processor_naming.py and pinned by test-vectors/app-name-variants.json.
const APP_NAME_MAX_LENGTH = 64
const HASH_LENGTH = 8
export const CANDIDATE_SUFFIX = 'candidate'
export const PULL_REQUEST_MAX = 9_999_999_999

/** A pull request number as given in text (1 to PULL_REQUEST_MAX, no sign or leading zero), or null. */
export function parsePullRequestNumber(text: string): number | null {
  return /^[1-9][0-9]{0,9}$/.test(text) && Number(text) <= PULL_REQUEST_MAX ? Number(text) : null
}

/** `llm-litellm-v1` → `llm-litellm-v1-pr42`. */
export function previewAppName(appName: string, pullRequest: number): string {
  if (!Number.isSafeInteger(pullRequest) || pullRequest < 1 || pullRequest > PULL_REQUEST_MAX) {
    throw new RangeError(`a pull request number is an integer from 1 to ${PULL_REQUEST_MAX}, not ${pullRequest}`)
  }
  return appNameWithSuffix(appName, `pr${pullRequest}`)
}

/** `llm-litellm-v1` → `llm-litellm-v1-candidate`: where a verify-first release is tested before it goes live. */
export function candidateAppName(appName: string): string {
  return appNameWithSuffix(appName, CANDIDATE_SUFFIX)
}

// `<app>-<suffix>` when it fits Modal's 64 characters; otherwise the app name is cut and a hash of the whole name keeps
// two long names that share a beginning apart: `<cut app>-<8 hex>-<suffix>`, exactly 64 characters.
function appNameWithSuffix(appName: string, suffix: string): string {
  const whole = `${appName}-${suffix}`
  if (whole.length <= APP_NAME_MAX_LENGTH) return whole
  const kept = appName.slice(0, APP_NAME_MAX_LENGTH - suffix.length - HASH_LENGTH - 2)
  return `${kept}-${fnv1a32(appName)}-${suffix}`
}

// FNV-1a (32 bits) over the name's UTF-16 code units, as 8 hex digits: app names are ASCII, so the Python mirror,
// which hashes bytes, agrees.
function fnv1a32(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(HASH_LENGTH, '0')
}
