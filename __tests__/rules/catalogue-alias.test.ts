// Which catalogue file a run reads when the v1 alias (registry-file, --registry) may name it too.
import { aliasNotice, CATALOGUE_FLAGS, CATALOGUE_INPUTS, chooseCatalogueFile } from '../../src/rules/catalogue-alias.js'

describe('chooseCatalogueFile', () => {
  test.each([
    ['neither given: the default file', null, null, { file: 'modal-processors.json', aliasUsed: false }],
    ['the current name only', 'fleet/cat.json', null, { file: 'fleet/cat.json', aliasUsed: false }],
    ['an empty current name reads no catalogue', '', null, { file: '', aliasUsed: false }],
    ['the alias only', null, 'fleet/cat.json', { file: 'fleet/cat.json', aliasUsed: true }],
    ['both, the same file', 'fleet/cat.json', 'fleet/cat.json', { file: 'fleet/cat.json', aliasUsed: true }],
  ])('%s', (_, given, alias, chosen) => {
    expect(chooseCatalogueFile(given, alias, CATALOGUE_INPUTS)).toEqual({ ok: true, ...chosen })
  })

  test('both naming different files is refused in the words of the surface, neither wins', () => {
    const inputs = chooseCatalogueFile('a.json', 'b.json', CATALOGUE_INPUTS)
    expect(inputs.ok).toBe(false)
    if (inputs.ok) return
    expect(inputs.error.code).toBe('ERR_INVALID_INPUT')
    expect(inputs.error.message).toBe(
      "catalogue-file 'a.json' and registry-file 'b.json' name different processor catalogues; registry-file is the deprecated alias of catalogue-file: give catalogue-file only.",
    )
    const flags = chooseCatalogueFile('a.json', 'b.json', CATALOGUE_FLAGS)
    expect(!flags.ok && flags.error.message).toMatch(/^--catalogue 'a\.json' and --registry 'b\.json' .*give --catalogue only\.$/)
  })

  test('the quoted values are one bounded line each', () => {
    const choice = chooseCatalogueFile('a\n::error::x.json', 'b'.repeat(5000), CATALOGUE_INPUTS)
    expect(choice.ok).toBe(false)
    if (choice.ok) return
    expect(choice.error.message).not.toContain('\n')
    expect(choice.error.message.length).toBeLessThan(700)
  })

  test('the notice names the alias and what to use instead', () => {
    expect(aliasNotice(CATALOGUE_INPUTS)).toMatch(/^registry-file is deprecated, use catalogue-file/)
    expect(aliasNotice(CATALOGUE_FLAGS)).toMatch(/^--registry is deprecated, use --catalogue/)
  })
})
