export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  title: string
  message: string
  properties: Record<string, string>
}

export interface ActionRun {
  exitCode: number | null
  signal: string | null
  wallMs: number
  /** From the cancel (SIGTERM) to the end of the process; null when the run was not cancelled. */
  msAfterCancel: number | null
  stdout: string
  stderr: string
  annotations: Annotation[]
  masks: string[]
  groups: string[]
  logLines: string[]
  outputs: Record<string, string>
  summary: string
  workspace: string
  base: string
}

export function readActionMetadata(actionDir: string): any
export function inputVariable(name: string): string
export function parseWorkflowCommands(stdout: string): Pick<ActionRun, 'annotations' | 'masks' | 'groups' | 'logLines'>
export function parseOutputFile(text: string): Record<string, string>
export function runAction(options: {
  actionDir: string
  inputs?: Record<string, string>
  env?: Record<string, string>
  /** What `${{ github.token }}` evaluates to (default: empty, so no test ever calls api.github.com). */
  githubToken?: string
  /** Sends SIGTERM, as a cancelled job does, once stdout contains this text. */
  cancelWhenStdoutIncludes?: string | null
  /** Sends SIGTERM once this condition holds (checked every 100 ms while the action runs). */
  cancelWhen?: (() => boolean) | null
  timeoutMs?: number
}): Promise<ActionRun>
