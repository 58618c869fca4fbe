export {
  type AutoSyncServiceOptions,
  configureAutoSync,
  getAutoSync,
  getAutoSyncStatus,
  type InitAutoSyncOptions,
  initAutoSync,
  isAutoSyncConfigured,
  setAutoSyncEnabled,
  storageEventManager,
  triggerBackup,
  triggerRestore,
} from './auto-sync-service'
export { notStartedStatus } from './not-started-status'
export { seedLogger } from './seed-logger'
