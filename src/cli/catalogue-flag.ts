// The processor catalogue file a command reads: --catalogue, or its v1 alias --registry with a deprecation line.
import { aliasNotice, CATALOGUE_FLAGS, chooseCatalogueFile } from '../rules/catalogue-alias.js'
import type { CliIo } from './io.js'
import { optionalFlag, type Flags } from './options.js'

/** The file named by --catalogue or --registry (default modal-processors.json); both naming different files is refused. */
export function catalogueFileFromFlags(flags: Flags, io: CliIo): string {
  const choice = chooseCatalogueFile(optionalFlag(flags, 'catalogue') ?? null, optionalFlag(flags, 'registry') ?? null, CATALOGUE_FLAGS)
  if (!choice.ok) throw choice.error
  if (choice.aliasUsed) io.err(`${aliasNotice(CATALOGUE_FLAGS)}\n`)
  return choice.file
}
