import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', development: 'src/development.ts', production: 'src/production.ts' },
  format: ['esm', 'cjs'],
  // The lazily imported panel becomes its own chunk, so the initial import stays small.
  splitting: true,
  dts: true,
  clean: true,
  target: 'es2022',
  sourcemap: true,
  external: [/^@autosync\//],
})
