import type { AutoSync } from '@autosync/core'
import { mountDevtools as mountAlways } from './mount'
import { mountNothing } from './mount-nothing'
import type { DevtoolsHandle, DevtoolsOptions } from './options'

export type { DevtoolsHandle, DevtoolsOptions, DevtoolsPosition } from './options'

/**
 * Mounts the devtools panel when `process.env.NODE_ENV` is exactly `'development'` at build time (or at
 * import time where nothing replaces it), and does nothing for any other value (`'production'`, `'test'`,
 * `'staging'`, unset). Bundlers that resolve the `development` export condition (Vite's dev server, webpack's
 * development mode) load `./development` instead. Import `@autosync/devtools/production` to mount it in any build.
 *
 * @example
 * import mountDevtools from '@autosync/devtools'
 * const { unmount } = mountDevtools(autoSync)
 */
// Chosen once at module level (like TanStack Query's devtools) so a production bundle drops the mount code.
export const mountDevtools: (autoSync: AutoSync, options?: DevtoolsOptions) => DevtoolsHandle =
  typeof process !== 'undefined' && process.env.NODE_ENV === 'development' ? mountAlways : mountNothing

export default mountDevtools
