// Pure readers of what the Modal CLI prints (docs/modal-client.md): panels, deploy output, --json tables.
import type { HistoryRow } from '../rules/rollout.js'
import type { ErrorCode } from '../rules/errors.js'
import type { ImageBuildFailure } from '../rules/image-build.js'

/** The text inside the Rich `Error` panel on stderr, unwrapped; null when there is none. */
export function errorPanelMessage(stderr: string): string | null {
  const lines = stderr.split('\n')
  const start = lines.findIndex((line) => /^╭─ Error ─/.test(line))
  if (start === -1) return null
  const body: string[] = []
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('╰')) break
    body.push(
      line
        .replace(/^│ ?/, '')
        .replace(/ ?│\s*$/, '')
        .trimEnd(),
    )
  }
  // Rich wraps long lines inside the panel; blank panel lines separate paragraphs.
  return body
    .join('\n')
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.split('\n').join(' ').replace(/\s+/g, ' ').trim())
    .join('\n\n')
    .trim()
}

export interface DeployOutput {
  skipped: boolean
  dashboardUrl: string | null
}

/** The client's closing lines; the last ones count, since the module's own prints and build logs come first. */
export function parseDeployOutput(stdout: string): DeployOutput {
  const urls = [...stdout.matchAll(/^View Deployment:\s*(https?:\/\/\S+)\s*$/gm)]
  const outcome = [...stdout.matchAll(/^✓ (App deployed in|Deployment skipped: no changes detected)/gm)].at(-1)
  return {
    skipped: outcome?.[1].startsWith('Deployment skipped') ?? false,
    dashboardUrl: urls.at(-1)?.[1] ?? null,
  }
}

/** Modal ≥1.5 prints snake_case keys; earlier clients printed the column titles ("App ID"). */
export function jsonKey(column: string): string {
  return column
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .toLowerCase()
    .replace(/^_+|_+$/g, '')
}

// Some environments force colours even without a TTY (FORCE_COLOR); JSON must be read without them.
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\x1b\[[0-9;]*[A-Za-z]/g

export function parseJsonTable(output: string): Record<string, unknown>[] {
  const text = output.replace(ANSI_ESCAPE, '')
  const start = text.indexOf('[')
  const value: unknown = JSON.parse(start === -1 ? text : text.slice(start))
  if (!Array.isArray(value) || value.some((row) => typeof row !== 'object' || row === null || Array.isArray(row))) {
    throw new Error('expected a JSON list of objects')
  }
  return value.map((row) => Object.fromEntries(Object.entries(row as object).map(([k, v]) => [jsonKey(k), v])))
}

/** `modal app history --json`, newest first. */
export function parseHistory(text: string): HistoryRow[] {
  return parseJsonTable(text)
    .map((row) => {
      const version = /^v(\d+)$/.exec(String(row.version ?? ''))
      if (!version) throw new Error(`history row without a version: ${JSON.stringify(row)}`)
      const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null)
      return {
        version: Number(version[1]),
        tag: text(row.tag),
        timeDeployed: text(row.time_deployed),
        deployedBy: text(row.deployed_by),
      }
    })
    .sort((a, b) => b.version - a.version)
}

const TRANSIENT = [
  /Could not connect to the Modal server/i,
  /connection (refused|reset)/i,
  /ECONNRESET|ECONNREFUSED/,
  /\bUNAVAILABLE\b/,
  /deadline exceeded/i,
  /rate limit/i,
  /too many requests/i,
  /\bRESOURCE_EXHAUSTED\b/,
]

export function isTransient(text: string): boolean {
  return TRANSIENT.some((pattern) => pattern.test(text))
}

// The client's ImageBuildError texts (docs/modal-client.md#errors-the-client-raises): `Image build for <id> failed with
// the exception:\n<text>`, `… failed.\nView the build logs: …`, `… terminated due to external shut-down[ with the
// exception:\n<text>| Please try again.]`, `… timed out. Please try again with a larger \`timeout\` parameter.`
const IMAGE_BUILD_PANEL =
  /^Image build for (im-[A-Za-z0-9]+) (failed|timed out|terminated due to external shut-down)\b(?:.*? with the exception: ([\s\S]*))?/

/** How many of the last build-log lines are read when the failing image's own start cannot be found. */
const BUILD_LOG_LINES = 200

/**
 * A failed image build: the ImageBuildError panel on stderr, and the build-log lines the client streamed to stdout
 * for that image (from its `Building image <id>` line on, else the last lines); null when the deploy failed otherwise.
 */
export function readImageBuildFailure(stdout: string, stderr: string): ImageBuildFailure | null {
  const found = IMAGE_BUILD_PANEL.exec(errorPanelMessage(stderr) ?? '')
  if (!found) return null
  const [, imageId, ending, serverText] = found
  const lines = stdout.replace(ANSI_ESCAPE, '').split('\n')
  const start = lines.map((line) => line.trim()).lastIndexOf(`Building image ${imageId}`)
  return {
    imageId,
    outcome: ending === 'failed' ? 'failed' : ending === 'timed out' ? 'timed-out' : 'terminated',
    serverText: serverText?.trim() || null,
    buildLog: (start === -1 ? lines : lines.slice(start)).filter((line) => line.trim()).slice(-BUILD_LOG_LINES),
  }
}

/** What any command's error panel says about the account: no token, a token refused, no such environment. */
function accountProblem(panel: string): ErrorCode | null {
  if (/Token missing|^Modal profile '.*' was not found/.test(panel)) return 'ERR_MODAL_TOKEN_MISSING'
  // The server's UNAUTHENTICATED texts (docs/modal-client.md#errors-the-client-raises): the panel shows the text, not the AuthError type.
  if (/^Token (ID|secret) is malformed|^Invalid token|\bUNAUTHENTICATED\b/i.test(panel)) return 'ERR_MODAL_TOKEN_REJECTED'
  if (/^Environment '[^']+' not found|^Invalid Environment name/.test(panel)) return 'ERR_ENVIRONMENT_NOT_FOUND'
  return null
}

/** The code for a failed `modal deploy` other than an image build, from what it printed on stderr. */
export function classifyDeployFailure(stderr: string): ErrorCode {
  const panel = errorPanelMessage(stderr) ?? ''
  if (/^Secret '[^']+' not found in environment/.test(panel)) return 'ERR_MISSING_SECRET'
  if (/Secret is missing key/.test(panel)) return 'ERR_SECRET_MISSING_KEYS'
  const account = accountProblem(panel)
  if (account) return account
  if (!panel && /Traceback \(most recent call last\)/.test(stderr)) return 'ERR_MODULE_IMPORT_FAILED'
  return 'ERR_DEPLOY_FAILED'
}

/**
 * The code for a failed command that only reads (`modal app logs`): the account's problem, an app that is not there
 * (nothing to read), or the client's failure, which changed nothing.
 */
export function classifyReadFailure(stderr: string): ErrorCode {
  const panel = errorPanelMessage(stderr) ?? ''
  if (/^No App with name '[^']+' found/.test(panel)) return 'ERR_FUNCTION_NOT_FOUND'
  return accountProblem(panel) ?? 'ERR_PREFLIGHT_FAILED'
}

/** A failed command's line for a message: its exit code and its error panel, else its last line. */
export function failureMessage(what: string, result: { exitCode: number; stderr: string }): string {
  const panel = errorPanelMessage(result.stderr)
  const lastLine = tail(result.stderr, 1, 500)
  return `${what} exited with code ${result.exitCode}: ${panel ?? (lastLine || 'no error output')}`
}

/** What a failed command said, for a message: its error panel's text, else its last lines without box drawing. */
export function failureText(stderr: string): string {
  const panel = errorPanelMessage(stderr)
  if (panel) return panel
  const text = tail(stderr, 3, 500)
    .split('\n')
    .map((line) =>
      line
        .replace(/[\u2500-\u257f]+/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((line) => line !== '')
  return text.join('\n') || 'no error output'
}

/**
 * The last lines of a command's output, bounded in lines and characters. The Modal CLI runs 1000 columns wide (so
 * that Rich does not wrap its messages): a panel's padding and the long runs of its borders are cut first.
 */
export function tail(text: string, maxLines = 20, maxChars = 2000): string {
  const lines = text
    .trimEnd()
    .split('\n')
    .map((line) =>
      line
        .replace(/─{4,}/g, '───')
        .replace(/ {2,}│$/, ' │')
        .trimEnd(),
    )
    .slice(-maxLines)
    .join('\n')
  return lines.length > maxChars ? `…${lines.slice(-maxChars)}` : lines
}
