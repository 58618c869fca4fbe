// Bundle-size budgets: each entry is bundled from source with everything it imports, minified and gzipped.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const budgets = JSON.parse(readFileSync(new URL('../size-budgets.json', import.meta.url), 'utf8'))
/** min+gzip bytes of one bundle; `stdin` bundles several entries together. */
async function measure(budget, entry) {
  const result = await build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.map((path) => `export * from './${path}'`).join('\n'), resolveDir: '.' } }),
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
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).length
}

let failed = false
for (const budget of budgets) {
  // `addedTo`: what an entry adds to an app that already loads another (two-way on top of core's main entry).
  const bytes = budget.addedTo
    ? (await measure(budget, [budget.addedTo, budget.entry])) - (await measure(budget, budget.addedTo))
    : await measure(budget, budget.entry)
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
