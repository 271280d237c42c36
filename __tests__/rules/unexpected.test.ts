import { describeUnexpected } from '../../src/rules/unexpected.js'

describe('describeUnexpected', () => {
  test('names the error and the place it was thrown, without the stack', () => {
    const error = new TypeError('cannot read properties of undefined')
    error.stack = `TypeError: cannot read properties of undefined\n    at readBack (/home/runner/work/_actions/org/mpd/v1/dist/main.cjs:1234:56)\n    at async run (/x/dist/main.cjs:9:1)`
    expect(describeUnexpected(error)).toBe('TypeError: cannot read properties of undefined (at main.cjs:1234:56)')
  })

  test('a frame without a function name', () => {
    const error = new RangeError('bad')
    error.stack = 'RangeError: bad\n    at /srv/app/dist/cli.cjs:3:9'
    expect(describeUnexpected(error)).toBe('RangeError: bad (at cli.cjs:3:9)')
  })

  test('a multi-line message stays on one line', () => {
    const error = new Error('first\nsecond')
    error.stack = undefined
    expect(describeUnexpected(error)).toBe('Error: first second')
  })

  test('a thrown non-error is shown as text', () => {
    expect(describeUnexpected('plain\nstring')).toBe('plain string')
    expect(describeUnexpected(undefined)).toBe('undefined')
  })
})
