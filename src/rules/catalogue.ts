// The processor catalogue (modal-processors.json, the `catalogue-file` input): per processor ref, the pinned image and
// the tool secrets, so a ref alone is enough. Reading the file is the caller's (flow/catalogue-file.ts).
import * as z from 'zod'
import { ActionError } from './errors.js'
import { parseImageRef } from './image-ref.js'
import { findKeyProblem } from './json-keys.js'
import { parseProcessorRef } from './naming.js'
import { didYouMean } from './ref-suggestions.js'
import { parseToolSecrets } from './secrets-policy.js'
import { smokeTestsFrom, smokeTestsSchema, type SmokeTest } from './smoke-tests.js'
import { bounded, oneLine } from './untrusted-text.js'
import { jsonSyntaxProblem } from './json-syntax.js'
import type { RawInputs } from './settings.js'

/** Also the `catalogue-file` default in action.yml (the contract test holds them equal). */
export const DEFAULT_CATALOGUE_FILE = 'modal-processors.json'

// The same rules as the inputs they stand for, so a bad entry is named by its file and field.
const entrySchema = z.strictObject({
  image: z.strictObject({
    oci: z.string().superRefine((ref, ctx) => {
      const parsed = parseImageRef(ref)
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error.message })
    }),
  }),
  tool_secrets: z
    .array(z.string())
    .default([])
    .superRefine((names, ctx) => {
      const parsed = parseToolSecrets(names.join('\n'))
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error })
    }),
  /** The params of the smoke call, when the default chat message is not what the processor takes. */
  smoke_inputs: z.record(z.string(), z.unknown()).optional(),
  /** Named calls with what each output must contain; smoke_inputs is the one-test shorthand of this list. */
  smoke_tests: smokeTestsSchema.optional(),
  /** The processor executable on this machine, relative to the catalogue file (the CLI's local adapter). */
  local_command: z.string().min(1).optional(),
  description: z.string().optional(),
})

const catalogueSchema = z
  .strictObject({
    processors: z.record(z.string(), entrySchema),
  })
  .superRefine((catalogue, ctx) => {
    for (const [ref, entry] of Object.entries(catalogue.processors)) {
      if (entry.smoke_inputs === undefined || entry.smoke_tests === undefined) continue
      const message = 'give smoke_tests or smoke_inputs, not both (smoke_inputs is the shorthand of one test)'
      ctx.addIssue({ code: 'custom', path: ['processors', ref, 'smoke_tests'], message })
    }
  })

export type ProcessorCatalogue = z.infer<typeof catalogueSchema>
export type CatalogueEntry = ProcessorCatalogue['processors'][string]

/** The entry of `ref`, an own key of the file only: `constructor` or `toString` are refs like any other. */
export function catalogueEntry(catalogue: ProcessorCatalogue, ref: string): CatalogueEntry | undefined {
  return Object.hasOwn(catalogue.processors, ref) ? catalogue.processors[ref] : undefined
}

/** Parses the file's text; every problem names the file and the field. */
export function parseCatalogue(text: string, file: string): ProcessorCatalogue {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new ActionError('ERR_INVALID_REGISTRY', `${file} is not valid JSON: ${jsonSyntaxProblem(text)}`)
  }
  // JSON.parse would keep the last of two equal keys, and the schema drops a __proto__ key: either would make the
  // file mean something other than what a reader of it sees.
  const keyProblem = findKeyProblem(text)
  if (keyProblem !== null) {
    const where = oneLine(bounded(keyProblem.path.map(String).join('.'), 300))
    const why =
      keyProblem.reason === 'proto'
        ? 'the key __proto__ is not allowed (JavaScript reads it as an object prototype, not as data)'
        : 'this key appears more than once in its object; give each key once'
    throw new ActionError('ERR_INVALID_REGISTRY', `${file}: ${where}: ${why}.`)
  }
  const parsed = catalogueSchema.safeParse(json)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((issue) => `${file}: ${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`)
  // Problems only in smoke_tests have their own code (and fix): the rest of the file is fine.
  const onlySmokeTests = parsed.error.issues.every((issue) => issue.path[0] === 'processors' && issue.path[2] === 'smoke_tests')
  throw new ActionError(onlySmokeTests ? 'ERR_INVALID_SMOKE_TESTS' : 'ERR_INVALID_REGISTRY', problems.join('\n'))
}

/**
 * Fills image-ref, tool-secrets and smoke-inputs from the catalogue where the inputs leave them empty; inputs always win.
 * `noImageRef`: how the surface says the image was not given (`no --image-ref was given` on the command line).
 */
export function applyCatalogue(
  raw: RawInputs,
  catalogue: ProcessorCatalogue | null,
  file: string,
  noImageRef = 'image-ref is empty',
): RawInputs {
  const ref = raw['processor-ref'].trim()
  // An invalid ref is the inputs' error, and the only one: no catalogue can hold it.
  if (!parseProcessorRef(ref).ok) return raw
  const entry = catalogue === null ? undefined : catalogueEntry(catalogue, ref)
  if (!entry) {
    if (raw['image-ref'].trim() !== '') return raw
    const where = catalogue ? `${file} has no entry processors["${ref}"]` : `there is no processor catalogue ${file}`
    throw new ActionError(
      'ERR_REGISTRY_ENTRY_MISSING',
      `${noImageRef} and ${where}.${didYouMean(ref, catalogue ? Object.keys(catalogue.processors) : [])}`,
    )
  }
  return {
    ...raw,
    'image-ref': raw['image-ref'].trim() || entry.image.oci,
    'tool-secrets': raw['tool-secrets'].trim() || entry.tool_secrets.join('\n'),
    'smoke-inputs': raw['smoke-inputs'].trim() || (entry.smoke_inputs ? JSON.stringify(entry.smoke_inputs) : ''),
  }
}

/** The catalogue's smoke tests for the run, or null when the step runs one test: the smoke-inputs input (which
 * replaces the catalogue's tests), the entry's smoke_inputs, or the default params. */
export function catalogueSmokeTests(raw: RawInputs, catalogue: ProcessorCatalogue | null): SmokeTest[] | null {
  if (raw['smoke-inputs'].trim() !== '' || catalogue === null) return null
  const entry = catalogueEntry(catalogue, raw['processor-ref'].trim())
  return entry?.smoke_tests ? smokeTestsFrom(entry.smoke_tests) : null
}
