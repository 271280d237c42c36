// A Toolkit that records what the action says to GitHub (as actions/typescript-action's __fixtures__/core.ts does):
// inputs with action.yml's defaults, log lines, groups, annotations, masks, outputs, the summary, the exit status.
// Time is a fake clock and retries do not wait.
import path from 'node:path'
import type { Toolkit } from '../../src/flow/toolkit.js'
import { REPO_ROOT } from '../../testing/harness/emulator.mjs'
import { readActionMetadata } from '../../testing/harness/github-runner.mjs'

const META = readActionMetadata(REPO_ROOT) as { inputs: Record<string, { default?: string }> }

export interface Recording {
  logs: string[]
  /** Untrusted text, printed fenced from workflow commands. */
  untrusted: string[]
  groups: string[]
  annotations: { level: string; title: string; message: string }[]
  masks: string[]
  outputs: Record<string, string>
  summary: string
  failed: boolean
}

export function recordingToolkit(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): Toolkit & { record: Recording } {
  const record: Recording = { logs: [], untrusted: [], groups: [], annotations: [], masks: [], outputs: {}, summary: '', failed: false }
  let clock = 1_000_000
  const withDefaults: Record<string, string> = Object.fromEntries(
    Object.entries(META.inputs).map(([name, spec]) => [name, spec.default ?? '']),
  )
  Object.assign(withDefaults, inputs)
  return {
    record,
    env: { GITHUB_WORKSPACE: REPO_ROOT, GITHUB_SHA: '3f2a1bc9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3', GITHUB_RUN_ID: '1001', ...env },
    actionRoot: path.resolve(REPO_ROOT),
    getInput: (name) => (withDefaults[name] ?? '').trim(),
    info: (message) => record.logs.push(message),
    debug: () => {},
    untrusted: (lines) => record.untrusted.push(...lines),
    untrustedStream: () => ({ write: (line) => record.untrusted.push(line), end: () => {} }),
    startGroup: (title) => record.groups.push(title),
    endGroup: () => {},
    annotate: (level, title, message) => record.annotations.push({ level, title, message }),
    setSecret: (value) => record.masks.push(value),
    setOutput: (name, value) => {
      record.outputs[name] = value
    },
    writeSummary: async (markdown) => {
      record.summary = markdown
    },
    fail: () => {
      record.failed = true
    },
    sleep: async () => {},
    random: () => 0.5,
    now: () => (clock += 10),
  }
}

export function errorTitles(record: Recording): string[] {
  return record.annotations.filter((a) => a.level === 'error').map((a) => a.title)
}
