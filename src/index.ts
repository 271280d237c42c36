import { run } from './main.js'

process.setSourceMapsEnabled?.(true)
void run()
