import { mountDevtools } from '@autosync/devtools/production'
import { type AutoSyncDevtoolsProps, useDevtoolsPanel } from './devtools'

export type { AutoSyncDevtoolsProps } from './devtools'
export { type CloudSync, type CloudSyncResult, type UseCloudSyncOptions, useCloudSync } from './use-cloud-sync'
export { useSyncStatus } from './use-sync-status'

/** `<AutoSyncDevtools>` that mounts the panel in every build, production included. */
export function AutoSyncDevtools(props: AutoSyncDevtoolsProps): null {
  useDevtoolsPanel(mountDevtools, props)
  return null
}
