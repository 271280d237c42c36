// `modal-processor prune --env ENV [--yes] [--json]`: the apps of an environment that this repository made and nothing
// needs any more (previews of closed pull requests, processors that left the catalogue, by the catalogue file's git
// history), as a table; stopped only with --yes.
import path from 'node:path'
import * as z from 'zod'
import { readCatalogueFile } from '../flow/catalogue-file.js'
import { isRunning, listApps } from '../modal/app-lifecycle.js'
import { ActionError } from '../rules/errors.js'
import { appNameOf, parseProcessorRef } from '../rules/naming.js'
import { formerAppNames, hasPreviews, planPrune, type Attribution, type PruneRow } from '../rules/prune.js'
import { bounded, logText, oneLine, safeJson } from '../rules/untrusted-text.js'
import { catalogueFileFromFlags } from './catalogue-flag.js'
import { MAX_CATALOGUE_CHANGES, readCatalogueHistory } from './catalogue-history.js'
import { getGitHubJson } from './github-rest.js'
import type { CliIo } from './io.js'
import { commandClient, environmentOf } from './modal.js'
import { CommandError, type Flags } from './options.js'

const MODAL_TIMEOUT_MS = 120_000
const PAGE = 100
/** 50 pages of 100: a repository with more open pull requests than this is not pruned from here. */
const MAX_PAGES = 50
/** A page of 100 pull requests carries each one's head and base repositories: a few MiB at most. */
const MAX_PAGE_BYTES = 16 * 1024 * 1024

const pullsSchema = z.array(z.object({ number: z.number().int().positive() }))

/** The numbers of the repository's open pull requests (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL). */
async function openPullRequests(env: NodeJS.ProcessEnv): Promise<Set<number>> {
  const missing = ['GITHUB_TOKEN', 'GITHUB_REPOSITORY'].filter((name) => !env[name])
  if (missing.length > 0 || !/^[^/]+\/[^/]+$/.test(env.GITHUB_REPOSITORY ?? '')) {
    throw new CommandError(
      `prune asks GitHub which pull requests are open, to keep their previews: set GITHUB_TOKEN (pull-requests: read) and GITHUB_REPOSITORY (owner/name)${missing.length ? `; missing: ${missing.join(', ')}` : ''}.`,
    )
  }
  const apiUrl = env.GITHUB_API_URL || 'https://api.github.com'
  const failed = (why: string) =>
    new CommandError(`prune could not list the open pull requests of ${env.GITHUB_REPOSITORY}: ${oneLine(why)}.`)
  const open = new Set<number>()
  for (let page = 1; page <= MAX_PAGES; page++) {
    const query = new URLSearchParams({ state: 'open', per_page: String(PAGE), page: String(page) })
    const body = await getGitHubJson(
      `${apiUrl}/repos/${env.GITHUB_REPOSITORY}/pulls?${query}`,
      env.GITHUB_TOKEN!,
      'pull-requests: read',
      failed,
      MAX_PAGE_BYTES,
    )
    const pulls = pullsSchema.safeParse(body)
    if (!pulls.success) throw failed('the answer is not a list of pull requests')
    for (const pull of pulls.data) open.add(pull.number)
    if (pulls.data.length < PAGE) return open
  }
  throw failed(`more than ${MAX_PAGES * PAGE} open pull requests`)
}

/** The longest cell of the table: an app name is at most 64 characters, a state a word, a reason a sentence. */
const MAX_CELL = 300

type Outcome = PruneRow & { result: 'kept' | 'listed' | 'stopped' | 'already stopped' | 'failed'; error?: string }

/** Every cell one bounded line: a state or an error from Modal must not start a line (a `::` workflow command) of its own. */
function cell(text: string): string {
  return bounded(oneLine(text), MAX_CELL)
}

function table(rows: Outcome[]): string {
  const header = ['APP', 'KIND', 'STATE', 'ACTION', 'WHY']
  const cells = rows.map((r) => [r.app, r.kind, r.state, r.result, r.error ? `${r.reason}; ${r.error}` : r.reason].map(cell))
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  return [header, ...cells]
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

export async function pruneCommand(flags: Flags, io: CliIo): Promise<number> {
  const env = environmentOf(flags)
  const file = catalogueFileFromFlags(flags, io)
  const catalogue = await readCatalogueFile(path.resolve(io.cwd, file), file)
  if (catalogue === null) {
    throw new ActionError('ERR_INVALID_REGISTRY', `there is no processor catalogue ${file}: prune keeps the apps of its processors.`)
  }
  const catalogueApps = new Set(
    Object.keys(catalogue.processors).flatMap((ref) => {
      const parsed = parseProcessorRef(ref)
      return parsed.ok ? [appNameOf(parsed.value)] : []
    }),
  )
  // Removed processors are known only from the catalogue's own history: without it they are not considered at all.
  const history = await readCatalogueHistory(path.resolve(io.cwd, file), file, io.env)
  const attribution: Attribution = {
    catalogueApps,
    formerApps: history.available ? formerAppNames(history.versions, catalogueApps) : new Set(),
  }
  const note = !history.available
    ? `Processors removed from the catalogue were not considered: ${history.why}; check out the full history (actions/checkout with fetch-depth: 0) to stop their apps and previews.`
    : history.complete
      ? null
      : `Processors removed from the catalogue before its last ${MAX_CATALOGUE_CHANGES} changes were not considered.`
  const client = commandClient(io)
  try {
    const apps = (await listApps(client, env, 'ERR_PREFLIGHT_FAILED', MODAL_TIMEOUT_MS)).filter(isRunning)
    const openPulls = hasPreviews(apps, attribution) ? await openPullRequests(io.env) : new Set<number>()
    const outcomes: Outcome[] = []
    for (const row of planPrune(apps, attribution, openPulls)) {
      if (row.action === 'keep') outcomes.push({ ...row, result: 'kept' })
      else if (flags.yes !== true) outcomes.push({ ...row, result: 'listed' })
      else {
        const stopped = await client.app(row.app, env).stop(MODAL_TIMEOUT_MS)
        if (stopped.status === 'failed')
          outcomes.push({ ...row, result: 'failed', error: `ERR_PREVIEW_TEARDOWN_FAILED: ${stopped.message}` })
        else outcomes.push({ ...row, result: stopped.status === 'stopped' ? 'stopped' : 'already stopped' })
      }
    }
    const failed = outcomes.filter((o) => o.result === 'failed').length
    const toStop = outcomes.filter((o) => o.action === 'stop').length
    if (flags.json) {
      const historyJson = {
        available: history.available,
        versions: history.available ? history.versions.length : 0,
        complete: history.available && history.complete,
        note,
      }
      io.out(`${safeJson({ ok: failed === 0, environment: env, stopped: flags.yes === true, apps: outcomes, history: historyJson }, 2)}\n`)
    } else {
      const verdict =
        toStop === 0
          ? `Nothing to prune in ${env}.`
          : flags.yes === true
            ? `${toStop - failed} of ${toStop} app(s) stopped in ${env}${failed ? `; ${failed} failed` : ''}.`
            : `${toStop} app(s) to stop in ${env}; run again with --yes to stop them.`
      io.out(
        `${logText(`${outcomes.length ? `${table(outcomes)}\n\n` : ''}${note === null ? '' : `Note: ${oneLine(note)}\n`}${verdict}`)}\n`,
      )
    }
    return failed === 0 ? 0 : 1
  } finally {
    await client.close()
  }
}
