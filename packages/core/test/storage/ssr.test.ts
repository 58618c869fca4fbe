import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { expect, it } from 'vitest'

const browserGlobals = [
  'indexedDB',
  'IDBKeyRange',
  'IDBDatabase',
  'IDBObjectStore',
  'IDBRequest',
  'IDBTransaction',
  'IDBCursor',
  'window',
  'document',
  'localStorage',
  'navigator',
  'BroadcastChannel',
]

it('importing @autosync/core in plain Node touches no browser global', async () => {
  const entry = fileURLToPath(new URL('../../src/index.ts', import.meta.url))
  const bundled = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    conditions: ['@autosync/source'],
    logLevel: 'silent',
  })
  const folder = mkdtempSync(join(tmpdir(), 'autosync-ssr-'))
  try {
    writeFileSync(join(folder, 'core.mjs'), bundled.outputFiles[0]!.contents)
    // Every browser global becomes a getter that records the access, in a Node without fake-indexeddb.
    writeFileSync(
      join(folder, 'probe.mjs'),
      `const touched = []
for (const name of ${JSON.stringify(browserGlobals)}) {
  Object.defineProperty(globalThis, name, { configurable: true, get() { touched.push(name); return undefined } })
}
const core = await import('./core.mjs')
console.log(JSON.stringify({ touched, openStorage: typeof core.openStorage }))`,
    )
    const result = spawnSync(process.execPath, [join(folder, 'probe.mjs')], { encoding: 'utf8' })
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({ touched: [], openStorage: 'function' })
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
})
