import { run } from './main.js'
import { cancelRunningProcesses } from './process.js'

// The runner cancels a job with SIGINT, then SIGTERM: stop the Modal commands so the run still reports what
// happened (outputs, summary) instead of dying with a deploy running on behind it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, cancelRunningProcesses)
void run()
