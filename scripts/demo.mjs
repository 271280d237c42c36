// The README's first command: runs the bundled action end to end against the local Modal emulator, with the
// README's example inputs, and prints what a user would see in the Actions UI.
import { Emulator, REFERENCE_PROCESSOR, REPO_ROOT } from '../testing/harness/emulator.mjs'
import { runAction } from '../testing/harness/github-runner.mjs'
import { removeScratchDirsOnExit } from '../testing/harness/scratch.mjs'

const rule = (title) => console.log(`\n\x1b[1m── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}\x1b[0m`)

// The emulator's home and the runner's folders go when the script ends, also when it fails or is interrupted.
removeScratchDirsOnExit()
const emulator = new Emulator()
const imageRef = emulator.pushReferenceImage()
emulator.prepareEnvironment('dev')
console.log(`Local Modal emulator ready in ${emulator.home}: environments main and dev, image ${imageRef},`)
console.log('secrets REGISTRY_AUTH and OPENAI_API_KEY in dev.')

const inputs = {
  'processor-ref': REFERENCE_PROCESSOR.ref,
  'image-ref': imageRef,
  'modal-environment': 'dev',
  'tool-secrets': 'OPENAI_API_KEY\nLITELLM_API_BASE?',
}
console.log('\nuses: ./  with:', JSON.stringify(inputs, null, 2))
const run = await runAction({ actionDir: REPO_ROOT, inputs, env: emulator.env })

rule('Step log')
let depth = 0
for (const line of run.stdout.split('\n')) {
  if (line.startsWith('::group::')) {
    console.log(`▸ ${line.slice('::group::'.length)}`)
    depth = 1
  } else if (line === '::endgroup::') depth = 0
  else if (/^::(error|warning|notice|add-mask|stop-commands)|^::[0-9a-f-]{36}::$/.test(line)) continue
  else if (line !== '') console.log(`${'  '.repeat(depth)}${line}`)
}
rule('Annotations')
if (run.annotations.length === 0) console.log('(none)')
for (const a of run.annotations) console.log(`${a.level.toUpperCase()} [${a.title}] ${a.message.replace(/\n/g, '\n    ')}`)
rule('Outputs')
for (const [name, value] of Object.entries(run.outputs))
  console.log(`${name.padEnd(18)} ${value.length > 110 ? `${value.slice(0, 110)}…` : value}`)
rule('Job summary (Markdown)')
console.log(run.summary)
rule(`Step ${run.exitCode === 0 ? 'succeeded' : `failed (exit ${run.exitCode})`}`)
process.exit(run.exitCode ?? 1)
