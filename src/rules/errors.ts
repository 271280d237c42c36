// Every failure the action and the CLI report: a stable code, the phase it belongs to, and what the user should do,
// said for each surface: the action's fix names its inputs, the CLI's its flags.

export type Phase =
  | 'inputs'
  | 'preflight'
  | 'candidate-deploy'
  | 'candidate-smoke'
  | 'candidate-stop'
  | 'deploy'
  | 'verify'
  | 'smoke'
  | 'rollback'
  | 'teardown'

/** Where a fix is read: the action's annotations and summary, or the terminal of `modal-processor`. */
export type Surface = 'action' | 'cli'

/**
 * What to do: one text for both surfaces, or one for each. `{env}`, `{app}`, `{ref}` and `{command}` are filled in
 * with the run's values when they are known (see `fixFor`), else shown as `<env>`…; other `<…>` are formats.
 */
export type Fix = string | { action: string; cli: string }

/** The values a fix names; only validated values are given (an environment name, a ref, an app name, a command). */
export interface FixValues {
  env?: string | null
  app?: string | null
  ref?: string | null
  command?: string | null
}

interface ErrorInfo {
  phase: Phase | 'any'
  fix: Fix
}

export const ERROR_CATALOG = {
  ERR_INVALID_INPUT: {
    phase: 'inputs',
    fix: {
      action: 'Correct the input named in the message; the README lists every input and its format.',
      cli: 'Correct the option named in the message; modal-processor {command} --help lists the options and their formats.',
    },
  },
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
    fix: {
      action: 'Give smoke-inputs as a JSON object, e.g. {"messages":[{"role":"user","content":"test"}]}.',
      cli: `Give --inputs-json as an envelope object, e.g. '{"schema":"v1","params":{"messages":[{"role":"user","content":"test"}]}}', or leave it out for the catalogue's smoke_inputs.`,
    },
  },
  ERR_INVALID_SMOKE_TESTS: {
    phase: 'inputs',
    fix: 'Fix smoke_tests in the processor catalogue at the field named in the message: a list of 1 to 20 tests {"name", "params", "expect"?, "max_ms"?} with unique names, and no smoke_inputs beside it.',
  },
  ERR_INVALID_REGISTRY: {
    phase: 'inputs',
    fix: {
      action: 'Fix the processor catalogue (catalogue-file) at the field named in the message; the README shows its format.',
      cli: 'Fix the processor catalogue (--catalogue, default modal-processors.json) at the field named in the message; the README shows its format.',
    },
  },
  ERR_REGISTRY_ENTRY_MISSING: {
    phase: 'inputs',
    fix: {
      action:
        'Give image-ref (and tool-secrets) as inputs, or add {ref} to the processor catalogue (catalogue-file); check the ref for a typo.',
      cli: 'Give --image-ref (and --tool-secrets), or add {ref} to the processor catalogue (--catalogue, default modal-processors.json); check --ref for a typo.',
    },
  },
  ERR_MODAL_CLI_MISSING: {
    phase: 'preflight',
    fix: {
      action:
        "Give the step Python 3.10+ (actions/setup-python, or the runner's python3 with venv) so the action installs modal-version into its own virtual environment, or install the Modal client before this step in a virtual environment (pip install modal==<modal-version>).",
      cli: 'Install the Modal client on this machine so that the modal command is on PATH: pip install modal (Python 3.10 or later).',
    },
  },
  ERR_MODAL_INSTALL_FAILED: {
    phase: 'preflight',
    fix: {
      action:
        "The message names the install command and ends with pip's last lines. A network failure usually passes (re-run the job; behind a proxy set PIP_INDEX_URL or HTTPS_PROXY in the step env); a version not found means modal-version is wrong or needs Python 3.10+.",
      cli: "The message names the install command and ends with pip's last lines: a network failure usually passes (run it again); a version not found needs another version or Python 3.10+.",
    },
  },
  ERR_PYTHON_EXTERNALLY_MANAGED: {
    phase: 'preflight',
    fix: {
      action:
        'This Python is externally managed (PEP 668) and refuses pip install: remove the pip install step and let the action install modal-version into its own virtual environment, or install modal in a virtual environment of yours (python3 -m venv .venv && .venv/bin/pip install modal), or use actions/setup-python.',
      cli: 'This Python is externally managed (PEP 668) and refuses pip install: install modal in a virtual environment (python3 -m venv .venv && .venv/bin/pip install modal) and put .venv/bin on PATH, or use pipx install modal.',
    },
  },
  ERR_PYTHON_VENV_MISSING: {
    phase: 'preflight',
    fix: {
      action:
        'This Python cannot make a virtual environment (Debian and Ubuntu ship venv apart): add sudo apt-get install -y python3-venv before this step, or use actions/setup-python.',
      cli: 'This Python cannot make a virtual environment (Debian and Ubuntu ship venv apart): sudo apt-get install -y python3-venv, then run the command again.',
    },
  },
  ERR_MODAL_CLIENT_TOO_OLD: {
    phase: 'preflight',
    fix: {
      action: 'Install Modal 1.5 or later on the runner (pip install modal==<version>), or remove it and let modal-version install one.',
      cli: 'Upgrade the Modal client on this machine to 1.5 or later: pip install --upgrade modal.',
    },
  },
  ERR_MODAL_TOKEN_MISSING: {
    phase: 'preflight',
    fix: {
      action: 'Set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET in the step env from repository secrets (modal token new creates a pair).',
      cli: 'Log this machine in to Modal (modal token new), or export MODAL_TOKEN_ID and MODAL_TOKEN_SECRET.',
    },
  },
  ERR_MODAL_TOKEN_REJECTED: {
    phase: 'preflight',
    fix: {
      action:
        'The Modal token was refused: check that MODAL_TOKEN_ID/MODAL_TOKEN_SECRET are a current pair of this workspace (modal token info).',
      cli: 'The Modal token was refused: modal token info shows the one in use; make a new one with modal token new, or export a current MODAL_TOKEN_ID/MODAL_TOKEN_SECRET pair.',
    },
  },
  ERR_ENVIRONMENT_NOT_FOUND: {
    phase: 'preflight',
    fix: {
      action: 'Create the environment (modal environment create {env}) or fix modal-environment; modal environment list shows them.',
      cli: 'Give an existing environment with --env (modal environment list shows them), or create this one: modal environment create {env}.',
    },
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
    fix: {
      action: 'The preflight checks did not finish in time and were stopped: check Modal status, or raise preflight-timeout.',
      cli: 'Modal did not answer in time and the command was stopped: check Modal status (status.modal.com), then run it again.',
    },
  },
  ERR_PREFLIGHT_FAILED: {
    phase: 'preflight',
    fix: {
      action:
        'The Modal client failed before anything was changed; the message carries its error. Retry, or run modal token info / modal environment list locally.',
      cli: 'The Modal client failed and nothing was changed; the message carries its error. Run the command again, or check with modal token info and modal environment list.',
    },
  },
  ERR_MODULE_IMPORT_FAILED: {
    phase: 'deploy',
    fix: {
      action: 'The Modal module failed to import: run the same modal deploy locally and fix the traceback shown.',
      cli: 'The Modal module failed to import: fix the traceback shown (the message names the modal deploy command that ran).',
    },
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
    fix: {
      action:
        'modal deploy ran past deploy-timeout and was stopped: an image build can take long the first time, raise deploy-timeout; the lines it printed last are in the message.',
      cli: 'modal deploy ran past its time limit and was stopped: an image build can take long the first time; run the command again (built images are cached). The lines it printed last are in the message.',
    },
  },
  ERR_DEPLOY_UNVERIFIED: {
    phase: 'verify',
    fix: 'The deploy ran but its result could not be read back (modal app history); check modal app history {app} --env {env}.',
  },
  ERR_RACE_DETECTED: {
    phase: 'verify',
    fix: {
      action:
        "Another deploy of the same app finished during this one. Serialise deploys with a concurrency group per environment and app (see the README's concurrency section).",
      cli: 'Another deploy of the same app finished during this one: modal app history {app} --env {env} shows both; deploy again once the other one is done.',
    },
  },
  ERR_FUNCTION_NOT_FOUND: {
    phase: 'smoke',
    fix: {
      action: 'Confirm the processor was deployed to that Modal environment: modal app list --env {env}; deploy it first (deploy: true).',
      cli: 'Deploy it first: modal-processor deploy --ref {ref} --env {env} (modal app list --env {env} shows what is deployed there).',
    },
  },
  ERR_SMOKE_TIMEOUT: {
    phase: 'smoke',
    fix: {
      action: 'The smoke call did not answer in time: raise smoke-timeout, or check the processor with modal app logs {app} --env {env}.',
      cli: 'The call did not answer in time: check the processor with modal-processor logs --ref {ref} --env {env}.',
    },
  },
  ERR_SMOKE_INVALID_RESPONSE: {
    phase: 'smoke',
    fix: 'run returned something that is not the processor contract envelope; check the deployed modal_app.py version.',
  },
  ERR_SMOKE_FAILED: {
    phase: 'smoke',
    fix: {
      action: 'The processor reported an error: the message carries it; check modal app logs {app} --env {env}.',
      cli: 'The processor reported an error: the message carries it; modal-processor logs --ref {ref} --env {env} shows its log.',
    },
  },
  ERR_SMOKE_EXPECTATION: {
    phase: 'smoke',
    fix: "The processor answered, but not what the test's expect says at the path in the message: fix the processor, or the test's expect in the processor catalogue if the new answer is right.",
  },
  ERR_SMOKE_TOO_SLOW: {
    phase: 'smoke',
    fix: "The processor answered correctly but slower than the test's max_ms: make it faster, or raise max_ms in the processor catalogue if the new latency is acceptable.",
  },
  ERR_CANCELLED: {
    phase: 'any',
    fix: {
      action:
        'The job was cancelled: the running Modal command was stopped. Check modal app history {app} --env {env} for what went live before the cancel.',
      cli: 'The command was interrupted and the Modal command it ran was stopped; modal app history {app} --env {env} shows what went live before that.',
    },
  },
  ERR_UNEXPECTED: {
    phase: 'any',
    fix: {
      action: 'The action itself failed unexpectedly; please open an issue with this message and the step log.',
      cli: 'modal-processor itself failed unexpectedly; please open an issue with this message and the command you ran.',
    },
  },
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
    fix: 'The rollback did not complete: the failing version may still be live. Run the command in the message by hand and check modal app history {app} --env {env}.',
  },
  ERR_CANDIDATE_REFUSED: {
    phase: 'candidate-smoke',
    fix: {
      action:
        "The release did not pass as a candidate (rollout: verify-first), so it was never deployed to the live app, which still serves its version. Fix what the error before this one reports (the candidate's deploy or smoke call) and run again.",
      cli: "The release did not pass as a candidate (--rollout verify-first), so it was never deployed to the live app, which still serves its version. Fix what the error before this one reports (the candidate's deploy or smoke call) and run again.",
    },
  },
  ERR_CANDIDATE_NOT_SEPARATE: {
    phase: 'candidate-deploy',
    fix: 'The Modal module names its app itself, so verify-first cannot deploy it beside the live app: name the app from the environment, modal.App(os.environ["MODAL_APP_NAME"]), as the committed modal/modal_app.py does. A version it made live untested is rolled back as after a failed smoke call.',
  },
  ERR_CANDIDATE_STOP_FAILED: {
    phase: 'candidate-stop',
    fix: 'A warning, not a failed release: the candidate app could not be stopped and may keep its containers until it is. Stop it by hand with the command in the message; the next verify-first run deploys over it either way.',
  },
  ERR_PREVIEW_EVENT: {
    phase: 'inputs',
    fix: {
      action:
        'Run a step with preview: true on pull_request or pull_request_target (types opened, synchronize, reopened, closed) only; on other events leave preview at false.',
      cli: 'Give --preview the pull request number, e.g. --preview 42.',
    },
  },
  ERR_PREVIEW_TEARDOWN_FAILED: {
    phase: 'teardown',
    fix: "Stopping the preview failed; the message carries Modal's error. Run modal app stop {app} --env {env} --yes by hand, or modal-processor prune --env {env} --yes later.",
  },
} as const satisfies Record<string, ErrorInfo>

export type ErrorCode = keyof typeof ERROR_CATALOG

/** A failure to report as an annotation titled with its code. */
export class ActionError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** `fix`: what to do when it is more precise than the code's fix in the catalogue. */
    readonly details: { stderrTail?: string; command?: string; fix?: Fix } = {},
  ) {
    super(message)
    this.name = 'ActionError'
  }
}

/** A fix as written for one surface, its values still `{placeholders}`. */
export function fixTemplate(fix: Fix, surface: Surface): string {
  return typeof fix === 'string' ? fix : fix[surface]
}

/** The template with each `{name}` replaced by its value, or by `<name>` when the value is not known. */
export function fillFix(template: string, values: FixValues): string {
  return template.replace(/\{(env|app|ref|command)\}/g, (_, name: keyof FixValues) => values[name] || `<${name}>`)
}

/** What to do about an error, on a surface: its own fix when it has one, else its code's, with the values filled in. */
export function fixFor(error: { code: ErrorCode; fix?: Fix }, surface: Surface = 'action', values: FixValues = {}): string {
  return fillFix(fixTemplate(error.fix ?? ERROR_CATALOG[error.code].fix, surface), values)
}
