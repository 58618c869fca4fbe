import type { AutoSync } from '@autosync/core'
import { mountDevtools as mountAlways } from './mount'
import type { DevtoolsHandle, DevtoolsOptions } from './options'

export type { DevtoolsHandle, DevtoolsOptions, DevtoolsPosition } from './options'

function isDevelopment(): boolean {
  // Bundlers replace `process.env.NODE_ENV`; where nothing does and `process` is missing, this throws.
  try {
    return process.env.NODE_ENV === 'development'
  } catch {
    return false
  }
}

/**
 * Mounts the devtools panel when `process.env.NODE_ENV === 'development'`, and does nothing otherwise.
 * Import `@autosync/devtools/production` to mount it in any build.
 *
 * @example
 * import mountDevtools from '@autosync/devtools'
 * const { unmount } = mountDevtools(autoSync)
 */
export function mountDevtools(autoSync: AutoSync, options?: DevtoolsOptions): DevtoolsHandle {
  if (!isDevelopment()) return { unmount() {} }
  return mountAlways(autoSync, options)
}

export default mountDevtools
