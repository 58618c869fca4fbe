import type { ViteUserConfig } from 'vitest/config'

/** Shared vitest settings: tests import workspace packages from their TypeScript source. */
export function sharedTestConfig(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return {
    resolve: { conditions: ['@autosync/source', 'module', 'browser', 'development|production'] },
    ssr: { resolve: { conditions: ['@autosync/source', 'module', 'node', 'development|production'] } },
    test: {
      // Tests and their helpers live under test/, never beside the product in src/.
      include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  }
}
