export { AutoSyncDevtools, type AutoSyncDevtoolsProps } from './devtools'
export { type CloudSync, type CloudSyncResult, type UseCloudSyncOptions, useCloudSync } from './use-cloud-sync'
export { useSyncStatus } from './use-sync-status'
