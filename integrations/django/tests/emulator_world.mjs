// A fresh local Modal emulator for the Django tests, prepared as the demo's (environments main and dev, the reference
// image, the dev secrets). Prints {"home": …, "env": {…}}: the state directory to delete afterwards and the variables
// that point `modal` at it.
import { Emulator } from '../../../testing/harness/emulator.mjs'

const emulator = new Emulator()
emulator.pushReferenceImage()
emulator.prepareEnvironment('dev')
console.log(JSON.stringify({ home: emulator.home, env: emulator.env }))
