// Every failure the action reports: a stable code, the phase it belongs to, and what the user should do.

export type Phase = 'inputs' | 'preflight' | 'deploy' | 'verify' | 'smoke' | 'rollback'

interface ErrorInfo {
  phase: Phase | 'any'
  fix: string
}

export const ERROR_CATALOG = {
  ERR_INVALID_INPUT: { phase: 'inputs', fix: 'Correct the input named in the message; the README lists every input and its format.' },
  ERR_INVALID_PROCESSOR_REF: { phase: 'inputs', fix: 'Use <namespace>/<name>@<major>, lower-case, e.g. llm/litellm@1.' },
  ERR_INVALID_IMAGE_REF: { phase: 'inputs', fix: 'Use <registry>/<repository>[:tag]@sha256:<64 hex>.' },
  ERR_UNPINNED_IMAGE: {
    phase: 'inputs',
    fix: 'Pin the image by digest (docker buildx imagetools inspect <ref> prints it), e.g. ghcr.io/org/img:1.2@sha256:<digest>.',
  },
  ERR_INVALID_ENVIRONMENT: {
    phase: 'inputs',
    fix: "Use a Modal environment name: letters, digits, '-', '_', '.', starting with a letter or digit, e.g. dev.",
  },
  ERR_INVALID_TOOL_SECRETS: {
    phase: 'inputs',
    fix: "List secret names separated by commas or newlines, e.g. OPENAI_API_KEY, LITELLM_API_BASE? (a trailing ? marks one optional). A name the runtime owns (PATH, HOME, or one starting with LD_, PYTHON, MODAL_ or GITHUB_; the README's Secrets section lists them all) must be renamed, and the processor reads the secret under the new name.",
  },
  ERR_INVALID_SMOKE_INPUTS: {
    phase: 'inputs',
    fix: 'Give smoke-inputs as a JSON object, e.g. {"messages":[{"role":"user","content":"test"}]}.',
  },
  ERR_INVALID_REGISTRY: {
    phase: 'inputs',
    fix: 'Fix the processor catalogue (registry-file) at the field named in the message; the README shows its format.',
  },
  ERR_REGISTRY_ENTRY_MISSING: {
    phase: 'inputs',
    fix: 'Give image-ref (and tool-secrets) as inputs, or add the processor ref to the processor catalogue (registry-file).',
  },
  ERR_MODAL_CLI_MISSING: {
    phase: 'preflight',
    fix: 'Install the Modal client before this step (pip install modal==<modal-version>), or give the step Python 3.10+ so the action installs modal-version itself.',
  },
  ERR_MODAL_CLIENT_TOO_OLD: {
    phase: 'preflight',
    fix: 'Install Modal 1.5 or later on the runner (pip install modal==<version>), or remove it and let modal-version install one.',
  },
  ERR_MODAL_TOKEN_MISSING: {
    phase: 'preflight',
    fix: 'Set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET in the step env from repository secrets (modal token new creates a pair).',
  },
  ERR_MODAL_TOKEN_REJECTED: {
    phase: 'preflight',
    fix: 'The Modal token was refused: check that MODAL_TOKEN_ID/MODAL_TOKEN_SECRET are a current pair of this workspace (modal token info).',
  },
  ERR_ENVIRONMENT_NOT_FOUND: {
    phase: 'preflight',
    fix: 'Create the environment (modal environment create <env>) or fix modal-environment; modal environment list shows them.',
  },
  ERR_MISSING_SECRET: {
    phase: 'preflight',
    fix: 'Create the secret in the target Modal environment with the command in the message (names are the same in every environment).',
  },
  ERR_SECRET_MISSING_KEYS: {
    phase: 'preflight',
    fix: 'Recreate the secret with every key it needs: the command in the message overwrites it with --force.',
  },
  ERR_PREFLIGHT_TIMEOUT: {
    phase: 'preflight',
    fix: 'The preflight checks did not finish in time and were stopped: check Modal status, or raise preflight-timeout.',
  },
  ERR_PREFLIGHT_FAILED: {
    phase: 'preflight',
    fix: 'The Modal client failed before anything was changed; the message carries its error. Retry, or run modal token info / modal environment list locally.',
  },
  ERR_MODULE_IMPORT_FAILED: {
    phase: 'deploy',
    fix: 'The Modal module failed to import: run the same modal deploy locally and fix the traceback shown.',
  },
  ERR_IMAGE_PULL_FAILED: {
    phase: 'deploy',
    fix: 'Modal could not pull the image: check the REGISTRY_AUTH values (a token with read:packages for GHCR) and that the pinned digest exists; the message says which, with the build-log lines.',
  },
  ERR_IMAGE_BUILD_FAILED: {
    phase: 'deploy',
    fix: 'The image build failed: the message quotes the build log and gives the modal image logs command for all of it; an image without Python needs add_python (MODAL_ADD_PYTHON).',
  },
  ERR_IMAGE_BUILD_TIMEOUT: {
    phase: 'deploy',
    fix: "Modal stopped the image build at its time limit: run the deploy again (images that finished building are cached); if it times out again, make the image smaller, or raise the build step's timeout parameter in your own module.",
  },
  ERR_IMAGE_BUILD_INTERRUPTED: {
    phase: 'deploy',
    fix: 'Modal shut the image build down from outside (not a fault of the image): run the deploy again.',
  },
  ERR_DEPLOY_FAILED: {
    phase: 'deploy',
    fix: 'modal deploy failed: the command, exit code and the end of its error output are in the message.',
  },
  ERR_DEPLOY_TIMEOUT: {
    phase: 'deploy',
    fix: 'modal deploy ran past deploy-timeout and was stopped: an image build can take long the first time, raise deploy-timeout; the lines it printed last are in the message.',
  },
  ERR_DEPLOY_UNVERIFIED: {
    phase: 'verify',
    fix: 'The deploy ran but its result could not be read back (modal app history); check modal app history <app> --env <env>.',
  },
  ERR_RACE_DETECTED: {
    phase: 'verify',
    fix: "Another deploy of the same app finished during this one. Serialise deploys with a concurrency group per environment and app (see the README's concurrency section).",
  },
  ERR_FUNCTION_NOT_FOUND: {
    phase: 'smoke',
    fix: 'Confirm the processor was deployed to that Modal environment: modal app list --env <env>; deploy it first (deploy: true).',
  },
  ERR_SMOKE_TIMEOUT: {
    phase: 'smoke',
    fix: 'The smoke call did not answer in time: raise smoke-timeout, or check the processor with modal app logs <app> --env <env>.',
  },
  ERR_SMOKE_INVALID_RESPONSE: {
    phase: 'smoke',
    fix: 'run returned something that is not the processor contract envelope; check the deployed modal_app.py version.',
  },
  ERR_SMOKE_FAILED: {
    phase: 'smoke',
    fix: 'The processor reported an error: the message carries it; check modal app logs <app> --env <env>.',
  },
  ERR_CANCELLED: {
    phase: 'any',
    fix: 'The job was cancelled: the running Modal command was stopped. Check modal app history <app> --env <env> for what went live before the cancel.',
  },
  ERR_UNEXPECTED: { phase: 'any', fix: 'The action itself failed unexpectedly; please open an issue with this message and the step log.' },
  ERR_ROLLED_BACK: {
    phase: 'rollback',
    fix: 'The new version failed its smoke call and the previous version was restored; fix the processor and deploy again.',
  },
  ERR_ROLLBACK_UNAVAILABLE: {
    phase: 'rollback',
    fix: 'This was the first deploy of the app, so there is no earlier version to restore: stop the app by hand (the command is in the message) or deploy a fix.',
  },
  ERR_ROLLBACK_REFUSED: {
    phase: 'rollback',
    fix: 'Modal refused the rollback (rollbacks may need a plan that includes them): run the command in the message by hand, or redeploy the previous image.',
  },
  ERR_ROLLBACK_FAILED: {
    phase: 'rollback',
    fix: 'The rollback did not complete: the failing version may still be live. Run the command in the message by hand and check modal app history.',
  },
} as const satisfies Record<string, ErrorInfo>

export type ErrorCode = keyof typeof ERROR_CATALOG

/** A failure to report as an annotation titled with its code. */
export class ActionError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** `fix`: what to do when it is more precise than the code's fix in the catalogue. */
    readonly details: { stderrTail?: string; command?: string; fix?: string } = {},
  ) {
    super(message)
    this.name = 'ActionError'
  }
}

/** What to do about an error: its own fix when it has one, else its code's. */
export function fixFor(error: { code: ErrorCode; fix?: string }): string {
  return error.fix ?? ERROR_CATALOG[error.code].fix
}
