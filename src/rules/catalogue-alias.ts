// Which processor catalogue file a run reads, when it may be named twice: by `catalogue-file` (`--catalogue`) and by
// its v1 alias `registry-file` (`--registry`), kept so that workflows written for v1 keep working.
import { DEFAULT_CATALOGUE_FILE } from './catalogue.js'
import { ActionError } from './errors.js'
import { bounded, oneLine } from './untrusted-text.js'

/** What the catalogue file and its alias are called where they are given: the action's inputs or the CLI's flags. */
export interface CatalogueNames {
  current: string
  alias: string
}

export const CATALOGUE_INPUTS: CatalogueNames = { current: 'catalogue-file', alias: 'registry-file' }
export const CATALOGUE_FLAGS: CatalogueNames = { current: '--catalogue', alias: '--registry' }

export type CatalogueChoice = { ok: true; file: string; aliasUsed: boolean } | { ok: false; error: ActionError }

/**
 * The file named by `given` (null: left at its default) or by the `alias` (null: not given). The alias is used when
 * the current name is left at its default; both given with different values is refused, so that neither wins unseen.
 */
export function chooseCatalogueFile(given: string | null, alias: string | null, names: CatalogueNames): CatalogueChoice {
  if (alias === null) return { ok: true, file: given ?? DEFAULT_CATALOGUE_FILE, aliasUsed: false }
  if (given === null || given === alias) return { ok: true, file: alias, aliasUsed: true }
  const quoted = (value: string) => `'${oneLine(bounded(value, 200))}'`
  return {
    ok: false,
    error: new ActionError(
      'ERR_INVALID_INPUT',
      `${names.current} ${quoted(given)} and ${names.alias} ${quoted(alias)} name different processor catalogues; ${names.alias} is the deprecated alias of ${names.current}: give ${names.current} only.`,
    ),
  }
}

/** The deprecation notice of a run that named the catalogue by its alias. */
export function aliasNotice(names: CatalogueNames): string {
  return `${names.alias} is deprecated, use ${names.current}: it names the same processor catalogue file, and the alias keeps working in v1.`
}
