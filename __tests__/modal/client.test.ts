import { symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { isSupportedClientVersion } from '../../src/modal/client.js'
import { pythonForModal } from '../../src/modal/install.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

const dir = scratchDir('modal-script-')
function script(name: string, firstLine: string): string {
  const file = path.join(dir, name)
  writeFileSync(file, `${firstLine}\nprint("hi")\n`, { mode: 0o755 })
  return file
}

describe('pythonForModal', () => {
  test('a pip console script names its interpreter', () => {
    expect(pythonForModal(script('pip', '#!/opt/venv/bin/python3.12'))).toBe('/opt/venv/bin/python3.12')
  })

  test('an env shebang names a python on PATH', () => {
    expect(pythonForModal(script('env', '#!/usr/bin/env python3'))).toBe('python3')
  })

  test('a shell wrapper (pyenv, asdf) says nothing about Python: python3', () => {
    expect(pythonForModal(script('shim', '#!/usr/bin/env bash'))).toBe('python3')
    expect(pythonForModal(script('sh', '#!/bin/sh'))).toBe('python3')
  })

  test('a symlink is followed to the real script', () => {
    const target = script('real', '#!/srv/py/bin/python')
    const link = path.join(dir, 'modal')
    symlinkSync(target, link)
    expect(pythonForModal(link)).toBe('/srv/py/bin/python')
  })
})

describe('isSupportedClientVersion', () => {
  test.each([
    ['1.5.0', true],
    ['1.5.4', true],
    ['1.10.0', true],
    ['2.0', true],
    ['1.4.9', false],
    ['0.74.1', false],
  ])('%s → %s', (version, supported) => {
    expect(isSupportedClientVersion(version)).toBe(supported)
  })
})
