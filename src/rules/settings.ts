// The settings of one run: the action's inputs as given (RawInputs) and as validated (Settings). Types only, with
// the list of input names, so that every layer can name them; flow/inputs.ts turns the one into the other.
import type { ImageRef, ImageVisibility } from './image-ref.js'
import type { ProcessorRef } from './naming.js'
import type { ToolSecret } from './secrets-policy.js'
import type { SmokeTest } from './smoke-tests.js'

/** Every input the action reads; the contract test holds this list equal to action.yml's inputs. */
export const INPUT_NAMES = [
  'processor-ref',
  'image-ref',
  'modal-environment',
  'mode',
  'tool-secrets',
  'app-name',
  'smoke-inputs',
  'deploy',
  'image-visibility',
  'modal-module-dir',
  'deploy-tag',
  'preflight-timeout',
  'deploy-timeout',
  'smoke-timeout',
  'dry-run',
  'rollback-on-failure',
  'deploy-strategy',
  'rollback-strategy',
  'rollout',
  'catalogue-file',
  /** The v1 alias of catalogue-file (flow/inputs-phase.ts chooses between them). */
  'registry-file',
  'modal-version',
  'github-token',
  'report-file',
  'preview',
] as const

/** The values an input of a fixed set takes, the default first: the inputs' rules (flow/inputs.ts) and the CLI's
 * flags (cli/options.ts) check them against the same lists. */
export const MODES = ['mock', 'real'] as const
/** How Modal replaces the containers of the live version: rolling (old ones may finish their inputs) or recreate. */
export const STRATEGIES = ['rolling', 'recreate'] as const
/** How a release reaches the live app. */
export const ROLLOUTS = ['live', 'verify-first'] as const

export type Strategy = (typeof STRATEGIES)[number]
export type Rollout = (typeof ROLLOUTS)[number]

export type InputName = (typeof INPUT_NAMES)[number]
export type RawInputs = Record<InputName, string>

export interface Settings {
  processorRef: string
  processor: ProcessorRef
  appName: string
  imageRef: string
  image: ImageRef
  imageVisibility: ImageVisibility
  environment: string
  mode: 'mock' | 'real'
  toolSecrets: ToolSecret[]
  smokeParams: Record<string, unknown>
  /** The catalogue's smoke_tests; absent: one test with smokeParams (flow/smoke-tests.ts). */
  smokeTests?: SmokeTest[]
  deploy: boolean
  moduleDir: string | null
  deployTag: string | null
  timeouts: { preflight: number; deploy: number; smoke: number }
  dryRun: boolean
  rollbackOnFailure: boolean
  /** `modal deploy --strategy` and `modal app rollback --strategy` (docs/modal-client.md#commands-and-flags-used). */
  strategies: { deploy: Strategy; rollback: Strategy }
  /** live: deploy the live app, then smoke-test it; verify-first: a candidate app is smoke-tested first (flow/verify-first.ts). */
  rollout: Rollout
  modalVersion: string
  githubToken: string
  /** A pull request's preview: 'event' reads the number from the pull request event (the action's `preview: true`),
   * a number is given (the CLI's `--preview N`); null deploys the live app. */
  preview: 'event' | number | null
}
