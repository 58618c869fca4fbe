// Bundles the demo: the notes page for the browser and the demo server for Node.
import { cp } from 'node:fs/promises'
import { build } from 'esbuild'

const conditions = process.env.AUTOSYNC_DEMO_SOURCE ? ['@autosync/source'] : []
await build({
  entryPoints: { app: 'src/app.ts' },
  outdir: 'dist/public',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  conditions,
  define: { 'process.env.NODE_ENV': '"development"' },
  logLevel: 'warning',
})
await build({
  entryPoints: { server: 'src/server.ts' },
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  conditions,
  logLevel: 'warning',
})
await cp('public', 'dist/public', { recursive: true })
console.log('demo built: dist/server.js, dist/public/app.js')
