// Bundle-size budgets: each entry is bundled from source with everything it imports, minified and gzipped.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const budgets = JSON.parse(readFileSync(new URL('../size-budgets.json', import.meta.url), 'utf8'))
let failed = false
for (const budget of budgets) {
  const result = await build({
    entryPoints: [budget.entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    conditions: ['@autosync/source'],
    external: budget.external ?? [],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  })
  const code = result.outputFiles[0].contents
  const bytes = gzipSync(code, { level: 9 }).length
  const over = bytes > budget.limitBytes
  if (over) failed = true
  const target = budget.targetBytes ? `, target ${(budget.targetBytes / 1000).toFixed(1)} kB` : ''
  const goal =
    budget.goalBytes && bytes > budget.goalBytes ? ` — over the ${(budget.goalBytes / 1000).toFixed(1)} kB goal` : ''
  console.log(
    `${over ? 'FAIL' : 'ok  '} ${budget.name}: ${(bytes / 1000).toFixed(2)} kB min+gzip (limit ${(budget.limitBytes / 1000).toFixed(1)} kB${target})${goal}`,
  )
}
if (failed) {
  console.error('Bundle size budget exceeded.')
  process.exit(1)
}
