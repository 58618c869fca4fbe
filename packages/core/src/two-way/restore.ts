import { AutoSyncError } from '../errors'
import { metadataStore } from '../storage/constants'
import { acknowledgeIn, foldOutbox } from '../storage/outbox'
import { ownerOf } from '../storage/prepare'
import { walkCursor } from '../storage/request'
import type { AutoSync, RestoreOptions, RestoreOutcome, StorageAccess, StorageEvent, SyncHost } from '../types'
import { checkRemote } from './remote-input'
import { cursorKey } from './revisions'
import { writeAll } from './write-all'

const restoreError = (message: string, code: string) => new AutoSyncError(`[autosync] [restore] ${message}`, { code })

/**
 * Replaces the active user's records in the synced tables with a backup, in one transaction, and points the pull
 * cursor at the snapshot's. Other users' records stay; pending changes block it unless `discardPending`.
 */
export async function restoreBackup(
  autoSync: AutoSync,
  host: SyncHost,
  access: StorageAccess,
  options: RestoreOptions = {},
): Promise<RestoreOutcome> {
  const { storage, adapter } = autoSync
  const { clock, logger } = host
  const userId = host.userId
  if (!adapter.restore) {
    throw restoreError(
      `the "${adapter.name}" adapter cannot restore a backup (it has no restore()); nothing was changed`,
      'restore-unsupported',
    )
  }
  const pending = await storage.outbox.count({ userId })
  if (pending > 0 && !options.discardPending) {
    throw restoreError(
      `restoring would discard ${pending} pending change${pending === 1 ? '' : 's'} of this user that never reached the backend; sync first, or pass discardPending: true to allow it`,
      'restore-would-discard',
    )
  }
  await host.abort()
  const context = { signal: new AbortController().signal, userId, clientId: storage.clientId, logger }
  const { snapshot, cursor = null } = (await adapter.restore({ userId, backupId: options.backupId }, context)) ?? {}
  if (!snapshot) {
    const which = options.backupId === undefined ? 'no backup of this user' : `no backup "${options.backupId}"`
    throw restoreError(`the "${adapter.name}" adapter has ${which}; nothing was changed`, 'backup-not-found')
  }
  const { context: writeContext } = access
  const tables = storage.syncedTables
  const records = tables.map((table) =>
    [snapshot.tables?.[table] ?? []].flat().flatMap((value) => {
      const keyPath = writeContext.tables.get(table)!.keyPath
      const verdict = checkRemote(writeContext, userId, {
        table,
        key: value?.[keyPath],
        op: 'put',
        value,
        revision: 'backup',
      })
      if ('accepted' in verdict) return [verdict.accepted.value!]
      logger.warn('[autosync] [restore] skipped a record', table, verdict)
      return []
    }),
  )
  const now = clock.now()
  const events: StorageEvent[] = []
  await writeAll(access, 'restore', [...tables], async (transaction) => {
    await Promise.all(
      tables.map((table, index) => {
        const store = transaction.objectStore(table)
        const refill = () => {
          for (const value of records[index]!) store.put(value)
        }
        events.push({ type: 'clear', table, userId, timestamp: now, origin: 'remote' })
        if (!writeContext.userIdField) {
          store.clear()
          return refill()
        }
        // Only this user's records go: a shared database keeps everyone else's.
        return walkCursor(store.openCursor(), (row) => {
          if (ownerOf(writeContext, row.value) === userId) row.delete()
        }).then(refill)
      }),
    )
    await acknowledgeIn(transaction, await foldOutbox(transaction, { userId }))
    transaction.objectStore(metadataStore).put(cursor, cursorKey(adapter.name, userId))
  })
  const restored = records.flat().length
  // One `clear` per table (origin remote) tells listeners to read the table again, as after `storage.clear`.
  access.announce(events)
  await host.recount()
  return { backupId: snapshot.backupId, records: restored }
}
