// `npm run bench` (core): applying pulled pages in Chromium and Node against raw idb puts in pages of the same size.
import { fileURLToPath } from 'node:url'
import { runFromSource } from './run-from-source.mjs'

process.env.AUTOSYNC_BENCH_DIR = fileURLToPath(new URL('.', import.meta.url))
await runFromSource('./pull-main.ts', ['playwright-core', 'esbuild', 'fake-indexeddb', 'fake-indexeddb/*'])
