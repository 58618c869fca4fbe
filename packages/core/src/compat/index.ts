export {
  type AutoSyncServiceOptions,
  configureAutoSync,
  getAutoSync,
  getAutoSyncStatus,
  initAutoSync,
  setAutoSyncEnabled,
  storageEventManager,
} from './auto-sync-service'
