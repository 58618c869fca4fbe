// `npm run bench`: the storage benchmark, Chromium and Node side by side.
import { fileURLToPath } from 'node:url'
import { runFromSource } from './run-from-source.mjs'

process.env.AUTOSYNC_BENCH_DIR = fileURLToPath(new URL('.', import.meta.url))
await runFromSource('./main.ts', ['playwright-core', 'esbuild', 'fake-indexeddb', 'fake-indexeddb/*'])
