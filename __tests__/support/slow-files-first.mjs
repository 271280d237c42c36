// The order jest runs test files in. Jest runs the files it has timed before longest first; on a fresh clone it has
// no timings and goes by file size, which leaves the end-to-end files (small, but seconds each: they start processes
// and wait on timeouts) for last, when nothing else runs beside their waits. Untimed, they go first here.
import TestSequencer from '@jest/test-sequencer'

const START_PROCESSES = /[/\\]__tests__[/\\](e2e|modal)[/\\]/

export default class SlowFilesFirst extends (TestSequencer.default ?? TestSequencer) {
  sort(tests) {
    // A stable sort: timed files keep jest's order, untimed ones their order by size within each group.
    const rank = (test) => (test.duration == null && START_PROCESSES.test(test.path) ? 0 : 1)
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b))
  }
}
