import { AutoSyncError } from '../errors'
import type { BackupResult, Logger, Storage, StorageEvent, SyncAdapter, SyncPlugin } from '../types'
import { skipReason } from './plugin-policy'

export interface BackupRun {
  storage: Storage
  adapter: SyncAdapter
  plugins: readonly SyncPlugin[]
  userId: string | null
  now: number
  logger: Logger
}

/** Sends every synced record of the user (minus what plugins skip) to `adapter.backup` as one snapshot. */
export async function backupSnapshot({
  storage,
  adapter,
  plugins,
  userId,
  now,
  logger,
}: BackupRun): Promise<BackupResult> {
  if (!adapter.backup || !adapter.capabilities.backup) {
    throw new AutoSyncError(
      `[autosync] [sync] the "${adapter.name}" adapter cannot back up (no backup() or capability backup); nothing was sent`,
      { code: 'backup-unsupported' },
    )
  }
  const { clientId, userIdField } = storage
  const tables: Record<string, Record<string, unknown>[]> = {}
  for (const table of storage.syncedTables) {
    tables[table] = (await storage.getAll(table)).filter((value) => {
      const owner = userIdField ? (value[userIdField] as string | undefined) : undefined
      const event: StorageEvent = {
        type: 'create',
        table,
        value,
        userId: owner ?? userId,
        timestamp: now,
        origin: 'local',
      }
      return (owner === undefined || owner === userId) && !skipReason(plugins, event, { userId, clientId })
    })
  }
  const snapshot = { backupId: `${clientId}:${now}`, clientId, userId, createdAt: now, tables }
  return adapter.backup(snapshot, { signal: new AbortController().signal, userId, clientId, logger })
}
