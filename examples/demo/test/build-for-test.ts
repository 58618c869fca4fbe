import { cp, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const demoRoot = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Builds the demo from the packages' TypeScript source into `outDir` (no prior `npm run build`). */
export async function buildDemoFromSource(outDir: string): Promise<{ serverFile: string; publicDir: string }> {
  const publicDir = join(outDir, 'public')
  await mkdir(publicDir, { recursive: true })
  await cp(join(demoRoot, 'public'), publicDir, { recursive: true })
  await build({
    entryPoints: { app: join(demoRoot, 'src/app.ts') },
    outdir: publicDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@autosync/source'],
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'warning',
  })
  await build({
    entryPoints: { server: join(demoRoot, 'src/server.ts') },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@autosync/source'],
    // Native and driver packages stay in node_modules; our packages are bundled from source.
    external: ['better-sqlite3', 'pg', 'pg-native'],
    logLevel: 'warning',
  })
  return { serverFile: join(outDir, 'server.mjs'), publicDir }
}
