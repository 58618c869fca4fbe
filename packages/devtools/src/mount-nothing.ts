import type { AutoSync } from '@autosync/core'
import type { DevtoolsHandle, DevtoolsOptions } from './options'

/** What the default entries export where the panel must not mount: same signature, no DOM, no subscription. */
export const mountNothing = (_autoSync: AutoSync, _options?: DevtoolsOptions): DevtoolsHandle => ({ unmount() {} })
