import type { AutoSync } from '@autosync/core'
import type { DevtoolsHandle, DevtoolsOptions } from '@autosync/devtools'
import { mountDevtools } from '@autosync/devtools'
import { useEffect, useRef } from 'react'

export interface AutoSyncDevtoolsProps extends DevtoolsOptions {
  /** The engine to show; nothing mounts while it is `null`. */
  autoSync: AutoSync | null | undefined
}

type Mount = (autoSync: AutoSync, options?: DevtoolsOptions) => DevtoolsHandle

/** Mounts the panel with `mount` while the component is rendered; options are read at mount. */
export function useDevtoolsPanel(mount: Mount, { autoSync, ...options }: AutoSyncDevtoolsProps): void {
  const optionsRef = useRef(options)
  optionsRef.current = options
  useEffect(() => {
    if (!autoSync) return
    const { unmount } = mount(autoSync, optionsRef.current)
    return unmount
  }, [mount, autoSync])
}

/**
 * Mounts the devtools panel for an engine while rendered (a no-op unless `NODE_ENV` is `development`;
 * use `@autosync/react/production` to show it in any build). Options are read at mount.
 *
 * @example
 * <AutoSyncDevtools autoSync={autoSync} position="bottom-left" />
 */
export function AutoSyncDevtools(props: AutoSyncDevtoolsProps): null {
  useDevtoolsPanel(mountDevtools, props)
  return null
}
