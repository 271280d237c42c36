// The processor registry file: per processor ref, the pinned image and the tool secrets, so a ref alone is enough.
import { existsSync, readFileSync } from 'node:fs'
import * as z from 'zod'
import { ActionError } from './errors.js'
import { parseImageRef } from './image-ref.js'
import { parseToolSecrets, type RawInputs } from '../action/inputs.js'

/** Also the `registry-file` default in action.yml (the contract test holds them equal). */
export const DEFAULT_REGISTRY_FILE = 'modal-processors.json'

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
  /** The processor executable on this machine, relative to the registry file (the CLI's local adapter). */
  local_command: z.string().min(1).optional(),
  description: z.string().optional(),
})

const registrySchema = z.strictObject({
  processors: z.record(z.string(), entrySchema),
})

export type ProcessorRegistry = z.infer<typeof registrySchema>

/** Parses the file's text; every problem names the file and the field. */
export function parseRegistry(text: string, file: string): ProcessorRegistry {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ActionError('ERR_INVALID_REGISTRY', `${file} is not valid JSON: ${(error as Error).message}`)
  }
  const parsed = registrySchema.safeParse(json)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((issue) => `${file}: ${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`)
  throw new ActionError('ERR_INVALID_REGISTRY', problems.join('\n'))
}

/** The registry at `filePath` (named `file` in messages), or null when the default file is absent; a file named
 * explicitly must exist. */
export function readRegistryFile(filePath: string, file: string): ProcessorRegistry | null {
  if (existsSync(filePath)) return parseRegistry(readFileSync(filePath, 'utf8'), file)
  if (file === DEFAULT_REGISTRY_FILE) return null
  throw new ActionError('ERR_INVALID_REGISTRY', `registry-file '${file}' does not exist (looked in ${filePath}).`)
}

/** Fills image-ref and tool-secrets from the registry where the inputs leave them empty; inputs always win. */
export function applyRegistry(raw: RawInputs, registry: ProcessorRegistry | null, file: string): RawInputs {
  const ref = raw['processor-ref'].trim()
  const entry = registry?.processors[ref]
  if (!entry) {
    if (raw['image-ref'].trim() !== '') return raw
    const where = registry ? `${file} has no entry processors["${ref}"]` : `there is no registry file ${file}`
    throw new ActionError(
      'ERR_REGISTRY_ENTRY_MISSING',
      `image-ref is empty and ${where}. Give image-ref, or add the processor to ${file} (see the README's registry section).`,
    )
  }
  return {
    ...raw,
    'image-ref': raw['image-ref'].trim() || entry.image.oci,
    'tool-secrets': raw['tool-secrets'].trim() || entry.tool_secrets.join('\n'),
  }
}
