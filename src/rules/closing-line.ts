// The log's last line after a run that went well: what is now true, in one plain sentence (the summary says the rest).
import type { RunReport } from './run-report.js'
import { pullRequestText, versionLabel } from './report-text.js'

/** Null after a failure (the errors say it) or a dry run (its plan says it). */
export function closingLine(report: RunReport): string | null {
  if (report.errors.length > 0 || report.dryRun) return null
  const pr = pullRequestText(report.preview?.pullRequest)
  switch (report.preview?.outcome) {
    case 'skipped':
      return `No preview of ${report.processorRef} for ${pr}: nothing was deployed and Modal was not called.`
    case 'removed':
      return `The preview ${report.appName} of ${pr} is gone from ${report.environment}: nothing of it runs.`
  }
  const version = report.versionAfter === null ? '' : ` ${versionLabel(report.versionAfter)}`
  return `${report.appName}${version} is live in ${report.environment} and answered the smoke call.`
}
