import { defineConfig } from 'tsup'

export default defineConfig({
  // `cli` is the `autosync-server` bin (dist/cli.js, ESM, with its shebang kept).
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  target: 'es2022',
  sourcemap: true,
})
