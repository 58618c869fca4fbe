// Bundles a TypeScript benchmark from the packages' source with esbuild, then runs it in this Node process.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** `entry` is relative to this folder; `external` lists packages resolved from node_modules at run time. */
export async function runFromSource(entry, external) {
  const folder = new URL('../node_modules/.cache/autosync-bench/', import.meta.url)
  mkdirSync(folder, { recursive: true })
  const outfile = fileURLToPath(new URL(entry.replace(/\.ts$/, '.mjs'), folder))
  await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    conditions: ['@autosync/source'],
    external,
    logLevel: 'error',
  })
  await import(outfile)
}
