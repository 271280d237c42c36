// A failed image build, as Modal reports it (docs/modal-client.md#errors-the-client-raises): the builder's log lines
// streamed into the deploy output, then an ImageBuildError panel that names the image. Which problem it was, and what
// to do, is read from both by one table of signatures.
import type { ErrorCode } from './errors.js'

/** The three endings of a build the client tells apart (GENERIC_STATUS_FAILURE, _TIMEOUT, _TERMINATED). */
export type ImageBuildOutcome = 'failed' | 'timed-out' | 'terminated'

/** What the client showed: the panel's facts and the build-log lines of the failing image. */
export interface ImageBuildFailure {
  imageId: string
  outcome: ImageBuildOutcome
  /** The server's text after `… with the exception:`; null for the forms without one. */
  serverText: string | null
  buildLog: string[]
}

interface ImageFailureSignature {
  name: string
  outcome: ImageBuildOutcome
  /** Any one matching a build-log line or the server's text; an empty list matches every build with this outcome. */
  patterns: RegExp[]
  code: ErrorCode
  /** What went wrong, for the message. */
  problem: string
  /** A fix more precise than the code's own (the catalogue's); null: the code's. */
  fix: string | null
}

/** First match wins: the builder's own verdicts (time limit, shut-down) before what its log says. */
export const IMAGE_FAILURE_SIGNATURES: readonly ImageFailureSignature[] = [
  {
    name: 'timeout',
    outcome: 'timed-out',
    patterns: [],
    code: 'ERR_IMAGE_BUILD_TIMEOUT',
    problem: 'Modal stopped the image build at its time limit',
    fix: null,
  },
  {
    name: 'terminated',
    outcome: 'terminated',
    patterns: [],
    code: 'ERR_IMAGE_BUILD_INTERRUPTED',
    problem: 'Modal shut the image build down from outside',
    fix: null,
  },
  {
    name: 'registry auth refused',
    outcome: 'failed',
    // Registries' own wordings only: a build step's `Permission denied: '/usr/…'` or a curl `401 Unauthorized` is not one.
    patterns: [
      /\bunauthorized: /i,
      /\bauthentication required\b/i,
      /\bpull access denied\b/i,
      /(^|:\s)denied: /i,
      /\brequested access to the resource is denied\b/i,
      /\bfailed to authorize\b/i,
      /\b(registry|token|manifests?|blobs?)\b.*\b40[13]\b/i,
    ],
    code: 'ERR_IMAGE_PULL_FAILED',
    problem: 'the registry refused to let Modal pull the image',
    fix:
      'Check the REGISTRY_AUTH secret in the target Modal environment: REGISTRY_USERNAME and REGISTRY_PASSWORD must be current ' +
      'credentials that can read the image (for GHCR a token with read:packages and access to the package). Recreate it with ' +
      'modal secret create REGISTRY_AUTH REGISTRY_USERNAME=<user> REGISTRY_PASSWORD=<token> --env <env> --force.',
  },
  {
    // Before the digest row: a shell's `python: not found` is not a registry's `not found`.
    name: 'no usable Python',
    outcome: 'failed',
    patterns: [
      /\bpython(3(\.\d+)?)?: (command )?not found\b/i,
      /\bexec: "?python(3(\.\d+)?)?"?: executable file not found\b/i,
      /\bpython(3(\.\d+)?)?: No such file or directory\b/i,
    ],
    code: 'ERR_IMAGE_BUILD_FAILED',
    problem: 'the image has no Python that Modal can run',
    fix:
      'Let Modal add Python: modal/modal_app.py passes add_python from MODAL_ADD_PYTHON (3.12 unless it is set to none), so ' +
      'unset MODAL_ADD_PYTHON or give a series such as 3.12; or build the image with Python 3.10+ on its PATH.',
  },
  {
    name: 'image or digest unknown',
    outcome: 'failed',
    patterns: [
      /\bmanifest unknown\b/i,
      /\bname unknown\b/i,
      /\bfailed to resolve reference\b/i,
      /\b(manifest|image|reference|digest|repository|tag)\b.*\bnot found\b/i,
      /\bsha256:[0-9a-f]{12,}.*\bnot found\b/i,
    ],
    code: 'ERR_IMAGE_PULL_FAILED',
    problem: 'the registry has no image at the pinned reference',
    fix:
      'Check that image-ref names an image that exists: the repository and the pinned digest together (docker buildx ' +
      'imagetools inspect <image-ref> resolves it); a digest from another repository, or a deleted package version, fails the same way.',
  },
  {
    name: 'other build failure',
    outcome: 'failed',
    patterns: [],
    code: 'ERR_IMAGE_BUILD_FAILED',
    problem: 'the image build failed',
    fix: null,
  },
]

export interface ImageFailureVerdict {
  signature: string
  code: ErrorCode
  fix: string | null
  imageId: string
  /** The lines that matched (or, for no match, the last ones Modal showed): sanitised and bounded. */
  quoted: string[]
  message: string
}

const QUOTED_LINES = 3
const QUOTED_LINE_CHARS = 300

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[ -/]*[@-~]/g
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g

/** A build-log line as it may be quoted: no escapes or control characters, one line, bounded. */
export function quotableLine(line: string): string {
  const clean = line.replace(ANSI_ESCAPE, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim()
  return clean.length > QUOTED_LINE_CHARS ? `${clean.slice(0, QUOTED_LINE_CHARS)}…` : clean
}

export function imageLogsCommand(imageId: string): string {
  return `modal image logs ${imageId}`
}

/** The row of the signature table that fits, the lines that made it fit, and the message to report. */
export function judgeImageFailure(failure: ImageBuildFailure): ImageFailureVerdict {
  const candidates = [...failure.buildLog, ...(failure.serverText ? [failure.serverText] : [])].map(quotableLine).filter(Boolean)
  let matched: string[] = []
  const signature =
    IMAGE_FAILURE_SIGNATURES.find((row) => {
      if (row.outcome !== failure.outcome) return false
      if (row.patterns.length === 0) return true
      matched = candidates.filter((line) => row.patterns.some((pattern) => pattern.test(line)))
      return matched.length > 0
    }) ?? IMAGE_FAILURE_SIGNATURES[IMAGE_FAILURE_SIGNATURES.length - 1]
  // No signature text: the server's text, else the last lines Modal showed, are what there is to go on.
  const quoted = (
    matched.length > 0 ? matched : failure.serverText ? [quotableLine(failure.serverText)] : candidates.slice(-QUOTED_LINES)
  ).slice(-QUOTED_LINES)
  const lines = [`modal deploy failed: ${signature.problem} (image ${failure.imageId}).`]
  if (quoted.length > 0) lines.push('Build log:', ...quoted.map((line) => `  ${line}`))
  lines.push(`The whole build log: ${imageLogsCommand(failure.imageId)}`)
  return {
    signature: signature.name,
    code: signature.code,
    fix: signature.fix,
    imageId: failure.imageId,
    quoted,
    message: lines.join('\n'),
  }
}
