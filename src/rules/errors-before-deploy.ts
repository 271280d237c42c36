// The catalogue's errors found before anything changes: the inputs and the preflight.

import type { ErrorInfo } from './error-fix.js'

export const ERRORS_BEFORE_DEPLOY = {
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
} as const satisfies Record<string, ErrorInfo>
