// Reading the processor catalogue file (the `catalogue-file` input, `--catalogue` of the CLI), through the file boundary.
import { DEFAULT_CATALOGUE_FILE, parseCatalogue, type ProcessorCatalogue } from '../rules/catalogue.js'
import { ActionError } from '../rules/errors.js'
import { bounded, oneLine } from '../rules/untrusted-text.js'
import { FileRefused, readRegularFile } from '../platform/files.js'

/** A catalogue is a small JSON document: one entry of a few hundred bytes per processor. */
export const MAX_CATALOGUE_BYTES = 1024 * 1024

/** The catalogue at `filePath` (named `file` in messages), or null when the default file is absent; a file named
 * explicitly must exist, and be a regular file of at most MAX_CATALOGUE_BYTES. */
export async function readCatalogueFile(filePath: string, file: string): Promise<ProcessorCatalogue | null> {
  let text: string
  try {
    text = await readRegularFile(filePath, MAX_CATALOGUE_BYTES)
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error
    if (error.problem === 'missing' && file === DEFAULT_CATALOGUE_FILE) return null
    const named = `The processor catalogue '${bounded(oneLine(file), 300)}'`
    const where = `(looked in ${bounded(oneLine(filePath), 500)})`
    throw new ActionError(
      'ERR_INVALID_REGISTRY',
      `${named} ${error.message} ${where}; point it at the processor catalogue, a JSON file of at most ${MAX_CATALOGUE_BYTES} bytes.`,
    )
  }
  return parseCatalogue(text, file)
}
