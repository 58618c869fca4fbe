import type { AutoSync } from '@autosync/core'
import { mountDevtools as mountAlways } from './mount'
import { mountNothing } from './mount-nothing'
import type { DevtoolsHandle, DevtoolsOptions } from './options'

export type { DevtoolsHandle, DevtoolsOptions, DevtoolsPosition } from './options'

/**
 * The default import where the bundler resolves the `development` export condition (Vite's dev server, webpack's
 * development mode). The page often has no `process` there (bundlers replace `process.env.NODE_ENV` but do not
 * define `process`), so the panel mounts unless a defined `NODE_ENV` names something else (`'test'` in vitest).
 */
export const mountDevtools: (autoSync: AutoSync, options?: DevtoolsOptions) => DevtoolsHandle =
  typeof process === 'undefined' || process.env.NODE_ENV === 'development' ? mountAlways : mountNothing

export default mountDevtools
