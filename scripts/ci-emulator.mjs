// Prepares a local Modal emulator for later steps or a shell: environments main and dev, the images of both
// reference processors in its registry, and the dev secrets they need. In a workflow it exports the variables through $GITHUB_ENV / $GITHUB_PATH and
// the pinned image as the step output `image-ref`; elsewhere it prints `export` lines for `eval "$(…)"`.
import { appendFileSync } from 'node:fs'
import path from 'node:path'
import { Emulator, REPLICATE_PROCESSOR, REPLICATE_TOKEN, REPO_ROOT } from '../testing/harness/emulator.mjs'

const emulator = new Emulator()
const imageRef = emulator.pushReferenceImage()
emulator.prepareEnvironment('dev')
// The second reference processor, so that a fleet of the catalogue deploys as it is.
emulator.pushImage(REPLICATE_PROCESSOR)
emulator.createSecret('dev', 'REPLICATE_API_TOKEN', { REPLICATE_API_TOKEN: REPLICATE_TOKEN })
const variables = {
  MODAL_EMULATOR_HOME: emulator.home,
  ...emulator.token,
  IMAGE_REF: imageRef,
}
const bin = path.join(REPO_ROOT, 'testing', 'emulator', 'bin')
// The emulated `modal` package goes first on PYTHONPATH; what was there stays (a project's own packages, the Django app).
const pythonPath = path.join(REPO_ROOT, 'testing', 'emulator', 'python')

if (process.env.GITHUB_ENV) {
  appendFileSync(
    process.env.GITHUB_ENV,
    Object.entries({ ...variables, PYTHONPATH: [pythonPath, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) })
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  )
  appendFileSync(process.env.GITHUB_PATH, `${bin}\n`)
  appendFileSync(process.env.GITHUB_OUTPUT, `image-ref=${imageRef}\n`)
  console.log(`Local Modal emulator ready in ${emulator.home}; image ${imageRef}`)
} else {
  const quote = (value) => `'${value.replace(/'/g, `'\\''`)}'`
  for (const [k, v] of Object.entries(variables)) console.log(`export ${k}=${quote(v)}`)
  console.log(`export PATH=${quote(bin)}:"$PATH"`)
  console.log(`export PYTHONPATH=${quote(pythonPath)}"\${PYTHONPATH:+:$PYTHONPATH}"`)
}
