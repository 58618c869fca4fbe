import { defineConfig } from 'vitest/config'
import { sharedTestConfig } from '../../vitest.shared.ts'

const config = sharedTestConfig()
// The AWS SDK's `module` build imports without file extensions, which Node cannot load: resolve its Node build.
config.ssr = { resolve: { conditions: ['@autosync/source', 'node', 'development|production'] } }

export default defineConfig(config)
