// Reading the processor catalogue file (the `registry-file` input, `--registry` of the CLI).
import { existsSync, readFileSync } from 'node:fs'
import { DEFAULT_CATALOGUE_FILE, parseCatalogue, type ProcessorCatalogue } from '../rules/catalogue.js'
import { ActionError } from '../rules/errors.js'

/** The catalogue at `filePath` (named `file` in messages), or null when the default file is absent; a file named
 * explicitly must exist. */
export function readCatalogueFile(filePath: string, file: string): ProcessorCatalogue | null {
  if (existsSync(filePath)) return parseCatalogue(readFileSync(filePath, 'utf8'), file)
  if (file === DEFAULT_CATALOGUE_FILE) return null
  throw new ActionError('ERR_INVALID_REGISTRY', `The processor catalogue '${file}' does not exist (looked in ${filePath}).`)
}
