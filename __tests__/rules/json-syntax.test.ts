// A JSON syntax error is reported by its place only: the text may be a file that is no JSON at all
// (`catalogue-file: /proc/self/environ`), and V8's message would quote it.
import fc from 'fast-check'
import { parseCatalogue } from '../../src/rules/catalogue.js'
import { jsonErrorOffset, jsonSyntaxProblem } from '../../src/rules/json-syntax.js'
import { parseRunReportFile } from '../../src/rules/run-report-file.js'
import { ActionError } from '../../src/rules/errors.js'

const ENVIRON = 'PATH=/work/bin:/usr/bin\u0000MODAL_TOKEN_SECRET=as-secret-value-1234\u0000HOME=/home/runner\u0000'

describe('jsonSyntaxProblem', () => {
  test.each([
    ['{', 'unexpected end at line 1, column 2'],
    ['', 'unexpected end at line 1, column 1'],
    ['{"a": 1,\n  "b": x}', 'unexpected character at line 2, column 8'],
    ['{"a": 1} trailing', 'unexpected character at line 1, column 10'],
    ['[1, 2,]', 'unexpected character at line 1, column 7'],
    ['{"a"\n\n: "tab\there"}', 'unexpected character at line 3, column 7'],
    ['"\\x"', 'unexpected character at line 1, column 2'],
    ['{"k": 01}', 'unexpected character at line 1, column 8'],
    [ENVIRON, 'unexpected character at line 1, column 1'],
  ])('%j: %s', (text, problem) => {
    expect(() => JSON.parse(text)).toThrow()
    expect(jsonSyntaxProblem(text)).toBe(problem)
  })

  test('valid JSON has no problem, however deep', () => {
    for (const text of ['{}', ' [1, -2.5e3, "a\\u00e9\\n", true, false, null, {"x": {}}] ', `${'['.repeat(100000)}${']'.repeat(100000)}`]) {
      expect(jsonErrorOffset(text)).toBeNull()
    }
  })

  test('it agrees with JSON.parse on what is JSON (10,000 cases: JSON, and JSON with a character changed)', () => {
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', ' ', 'x', '0', '-', '.', 'e', '\n', '\u0001'))
      .map(([json, at, c]) => {
        const i = json.length === 0 ? 0 : at % json.length
        return at % 3 === 0 ? json.slice(0, i) + c + json.slice(i) : json.slice(0, i) + c + json.slice(i + 1)
      })
    fc.assert(
      fc.property(fc.oneof(fc.json(), mutated), (text) => {
        let valid = true
        try {
          JSON.parse(text)
        } catch {
          valid = false
        }
        const offset = jsonErrorOffset(text)
        return valid ? offset === null : offset !== null && offset >= 0 && offset <= text.length
      }),
      { numRuns: 10_000 },
    )
  })
})

describe('no file content in a message', () => {
  test('a catalogue or a run report that is an environment file is reported by position, never quoted', () => {
    const error = (() => {
      try {
        parseCatalogue(ENVIRON, '/proc/self/environ')
      } catch (e) {
        return e as ActionError
      }
      return null
    })()
    expect(error?.message).toBe('/proc/self/environ is not valid JSON: unexpected character at line 1, column 1')
    expect(parseRunReportFile(ENVIRON)).toEqual({ ok: false, problem: 'not JSON (unexpected character at line 1, column 1)' })
    expect(parseRunReportFile(`{"schema": "x",\n "v": PATH=/work}`)).toEqual({
      ok: false,
      problem: 'not JSON (unexpected character at line 2, column 7)',
    })
  })
})
