export const REPO_ROOT: string
export interface ReferenceProcessor {
  ref: string
  image: string
  dir: string
}
export const REFERENCE_PROCESSOR: ReferenceProcessor
export const REPLICATE_PROCESSOR: ReferenceProcessor
export const REGISTRY_CREDENTIALS: { username: string; password: string }
export const OPENAI_KEY: string
export const REPLICATE_TOKEN: string

export interface EmulatorState {
  [key: string]: any
}

/** A spawned call as `modal-emulator function-calls --json` lists it (testing/emulator/README.md). */
export interface EmulatedFunctionCall {
  function_call_id: string
  app_id: string
  app: string
  environment: string
  version: number
  function: string
  status: 'running' | 'succeeded' | 'failed' | 'cancelled'
  container: 'starting' | 'running' | 'exited' | 'terminated' | 'none'
  container_pgid: number | null
  terminate_containers: boolean
  started_at: string
}

export class Emulator {
  constructor(options?: { environments?: string[]; workspace?: string })
  home: string
  workspace: string
  token: { MODAL_TOKEN_ID: string; MODAL_TOKEN_SECRET: string }
  readonly env: Record<string, string>
  admin(...args: string[]): string
  modal(...args: string[]): { status: number | null; stdout: string; stderr: string }
  pushReferenceImage(options?: { visibility?: 'private' | 'public' }): string
  pushImage(processor: ReferenceProcessor, options?: { visibility?: 'private' | 'public' }): string
  createSecret(environment: string, name: string, pairs: Record<string, string>): string
  prepareEnvironment(environment: string): void
  addFault(target: string, action: string, options?: { times?: number; message?: string; seconds?: number }): void
  state(): EmulatorState
  functionCalls(): EmulatedFunctionCall[]
  clientLoads(): number
  resetClientLoads(): void
  runningProcesses(): number[]
  processesLeftRunning(deadlineMs?: number): Promise<number[]>
  static plantedSecretValues(): string[]
  static copyOf(source: Emulator): Emulator
}
