import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing.ts',
    'testing-suite': 'src/testing-suite.ts',
    compat: 'src/compat.ts',
    'two-way': 'src/two-way.ts',
    http: 'src/http.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2022',
  sourcemap: true,
  // vitest is only needed by the conformance suite, which the app's own test runner provides
  external: ['vitest'],
})
