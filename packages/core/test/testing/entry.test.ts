import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

/** The import graph of an entry, as a bundler sees it (vitest left external so it shows as an import). */
async function importsOf(entry: string) {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    external: ['vitest'],
    conditions: ['@autosync/source'],
    logLevel: 'silent',
  })
  return Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((imported) => imported.path))
}

describe('@autosync/core/testing', () => {
  it('loads without vitest, so createMemoryAdapter and createFakeClock work in any test runner', async () => {
    expect(await importsOf('../../src/testing.ts')).not.toContain('vitest')
  })

  it('keeps the vitest conformance suite in its own entry', async () => {
    expect(await importsOf('../../src/testing-suite.ts')).toContain('vitest')
  })
})
