// `npm run bench`: bundles the TypeScript bench runner from source, then runs it (Chromium + Node side by side).
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const outfile = fileURLToPath(new URL('../node_modules/.cache/autosync-bench/main.mjs', import.meta.url))
mkdirSync(new URL('../node_modules/.cache/autosync-bench/', import.meta.url), { recursive: true })
await build({
  entryPoints: [fileURLToPath(new URL('./main.ts', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outfile,
  conditions: ['@autosync/source'],
  external: ['playwright-core', 'esbuild', 'fake-indexeddb', 'fake-indexeddb/*'],
  logLevel: 'error',
})
process.env.AUTOSYNC_BENCH_DIR = fileURLToPath(new URL('.', import.meta.url))
await import(outfile)
