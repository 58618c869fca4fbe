import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.ts'

// The seed's component snippet is a .tsx test: the automatic JSX runtime, as React apps compile it.
export default defineConfig({ ...sharedTestConfig({ environment: 'happy-dom' }), esbuild: { jsx: 'automatic' } })
