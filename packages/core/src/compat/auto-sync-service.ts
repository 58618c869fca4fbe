import { AutoSyncError } from '../errors'
import { createAutoSync } from '../sync/auto-sync'
import type {
  AutoSync,
  AutoSyncOptions,
  BackupResult,
  RestoreOptions,
  RestoreOutcome,
  StorageEventListener,
  SyncStatus,
} from '../types'

/** `configureAutoSync` takes every option but the user, which `initAutoSync` names. */
export type AutoSyncServiceOptions = Omit<AutoSyncOptions, 'userId'>

let configured: AutoSyncServiceOptions | undefined
let instance: AutoSync | undefined

const notConfigured = () =>
  new AutoSyncError('[autosync] [compat] Call configureAutoSync({ storage, adapter }) before initAutoSync()')

/**
 * Sets the options of the one default instance (the seed's service). Stops a running instance.
 * @example configureAutoSync({ storage, adapter: restAdapter({ baseUrl }) })
 */
export async function configureAutoSync(options: AutoSyncServiceOptions): Promise<void> {
  await instance?.stop()
  instance = undefined
  configured = options
}

/** Starts auto-sync for a user, or switches the running instance to that user. */
export async function initAutoSync(userId: string | null): Promise<AutoSync> {
  if (!configured) throw notConfigured()
  if (instance) {
    await instance.switchUser(userId)
    return instance
  }
  instance = createAutoSync({ ...configured, userId })
  await instance.start()
  return instance
}

/** The seed's `setAutoSyncEnabled`. */
export function setAutoSyncEnabled(enabled: boolean): void {
  instance?.setEnabled(enabled)
}

/** The status of the default instance, or `null` before `initAutoSync`. */
export function getAutoSyncStatus(): SyncStatus | null {
  return instance?.getStatus() ?? null
}

const notStarted = () => new AutoSyncError('[autosync] [compat] Call initAutoSync(userId) first')

/** The seed's `triggerBackup`: a full snapshot of the active user's synced tables through the adapter. */
export async function triggerBackup(): Promise<BackupResult> {
  if (!instance) throw notStarted()
  return instance.backup()
}

/**
 * `triggerBackup`'s counterpart: replaces the active user's records with a backup (the latest unless `backupId`).
 * Needs `twoWay()` among the configured plugins; refuses with `code: 'restore-would-discard'` while changes are
 * pending unless `discardPending: true`.
 */
export async function triggerRestore(options?: RestoreOptions): Promise<RestoreOutcome> {
  if (!instance) throw notStarted()
  return instance.restore(options)
}

/** The default instance, for `syncNow`, `backup`, `subscribe`…; `undefined` before `initAutoSync`. */
export function getAutoSync(): AutoSync | undefined {
  return instance
}

/** The seed's event manager, over the configured storage's event bus. */
export const storageEventManager = {
  on(table: string, listener: StorageEventListener): () => void {
    if (!configured) throw notConfigured()
    return configured.storage.events.on(table, listener)
  },
  onAny(listener: StorageEventListener): () => void {
    if (!configured) throw notConfigured()
    return configured.storage.events.onAny(listener)
  },
}
