import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2022',
  sourcemap: true,
  // The app's own firebase is used, never a second copy bundled.
  external: ['firebase', /^firebase\//, /^@firebase\//],
})
