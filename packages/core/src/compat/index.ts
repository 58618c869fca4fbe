export {
  type AutoSyncServiceOptions,
  configureAutoSync,
  getAutoSync,
  getAutoSyncStatus,
  initAutoSync,
  setAutoSyncEnabled,
  storageEventManager,
  triggerBackup,
  triggerRestore,
} from './auto-sync-service'
