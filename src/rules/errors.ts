// Every failure the action and the CLI report: a stable code, the phase it belongs to, and what the user should do,
// said for each surface: the action's fix names its inputs, the CLI's its flags.

import { fillFix, fixTemplate, type ErrorInfo, type Fix, type FixValues, type Surface } from './error-fix.js'
import { ERRORS_BEFORE_DEPLOY } from './errors-before-deploy.js'

export type { Fix, FixValues, Phase, Surface } from './error-fix.js'
export { fillFix, fixTemplate } from './error-fix.js'

export const ERROR_CATALOG = {
  ...ERRORS_BEFORE_DEPLOY,
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
    /** `fix`: what to do when it is more precise than the code's fix in the catalogue; `functionCallId`: the Modal
     * function call the error is about, whose own logs tell more. */
    readonly details: { stderrTail?: string; command?: string; fix?: Fix; functionCallId?: string } = {},
  ) {
    super(message)
    this.name = 'ActionError'
  }
}

/** What to do about an error, on a surface: its own fix when it has one, else its code's, with the values filled in. */
export function fixFor(error: { code: ErrorCode; fix?: Fix }, surface: Surface = 'action', values: FixValues = {}): string {
  return fillFix(fixTemplate(error.fix ?? ERROR_CATALOG[error.code].fix, surface), values)
}
