// `node --expose-gc bench/engine-run.mjs`: bundles bench/engine-push.ts from source and runs it in Node.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const folder = new URL('../node_modules/.cache/autosync-bench/', import.meta.url)
mkdirSync(folder, { recursive: true })
const outfile = fileURLToPath(new URL('engine-push.mjs', folder))
await build({
  entryPoints: [fileURLToPath(new URL('./engine-push.ts', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outfile,
  conditions: ['@autosync/source'],
  external: ['fake-indexeddb', 'fake-indexeddb/*'],
  logLevel: 'error',
})
await import(outfile)
