// Measures min+gzip sizes like scripts/check-size.mjs, with the lazy panel split into its own chunk.
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const measure = async (entryPoints, external, splitting) => {
  const result = await build({
    entryPoints,
    bundle: true,
    minify: true,
    splitting,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outdir: '/out',
    conditions: ['@autosync/source'],
    external,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  })
  return result.outputFiles.map((file) => ({
    name: file.path.replace('/out/', ''),
    bytes: gzipSync(file.contents, { level: 9 }).length,
  }))
}

const root = new URL('../', import.meta.url).pathname
const files = await measure({ production: `${root}src/production.ts` }, ['@autosync/*'], true)
const initial = files.filter((file) => !file.name.startsWith('panel')).reduce((sum, file) => sum + file.bytes, 0)
const panel = files.filter((file) => file.name.startsWith('panel')).reduce((sum, file) => sum + file.bytes, 0)
console.log(`devtools initial import: ${(initial / 1000).toFixed(2)} kB min+gzip (budget 3 kB)`)
console.log(`devtools lazy panel: ${(panel / 1000).toFixed(2)} kB min+gzip (budget 15 kB)`)
const { existsSync } = await import('node:fs')
if (!existsSync(`${root}../react/src/index.ts`)) process.exit(0)
const react = await measure([`${root}../react/src/index.ts`], ['react', 'react-dom', '@autosync/*'], false)
console.log(
  `@autosync/react: ${(react[0].bytes / 1000).toFixed(2)} kB min+gzip without react and @autosync/* (budget 1.5 kB)`,
)
