import { AutoSyncError } from '../errors'
import { metadataStore, outboxStore } from '../storage/constants'
import { acknowledgeIn, foldOutbox } from '../storage/outbox'
import { ownerOf } from '../storage/prepare'
import { walkCursor, whenDone } from '../storage/request'
import type { Engine } from '../sync/engine'
import type { RestoreOptions, RestoreOutcome, StorageEvent, SyncAdapter } from '../types'
import type { StorageInternals } from './internals'
import { checkRemote } from './remote-input'
import { cursorKey } from './revisions'

const restoreError = (message: string, code: string) => new AutoSyncError(`[autosync] [restore] ${message}`, { code })

/**
 * Replaces the active user's records in the synced tables with a backup, in one transaction, and points the pull
 * cursor at the snapshot's. Other users' records stay; pending changes block it unless `discardPending`.
 */
export async function restoreBackup(
  engine: Engine,
  internals: StorageInternals,
  adapter: SyncAdapter,
  options: RestoreOptions = {},
): Promise<RestoreOutcome> {
  const { storage, state, clock, logger } = engine
  const userId = state.userId
  if (!adapter.restore)
    throw restoreError(`the "${adapter.name}" adapter cannot restore backups`, 'restore-unsupported')
  const pending = await storage.outbox.count({ userId })
  if (pending > 0 && !options.discardPending) {
    throw restoreError(
      `${pending} local changes are pending; restoring would discard them (pass discardPending: true)`,
      'restore-would-discard',
    )
  }
  await engine.abort()
  const context = { signal: new AbortController().signal, userId, clientId: storage.clientId, logger }
  const { snapshot, cursor = null } = await adapter.restore(
    { userId, ...(options.backupId && { backupId: options.backupId }) },
    context,
  )
  if (!snapshot)
    throw restoreError(`no backup${options.backupId ? ` "${options.backupId}"` : ''} to restore`, 'backup-not-found')
  const { context: writeContext } = internals
  const tables = storage.syncedTables
  const records = tables.map((table) =>
    (Array.isArray(snapshot.tables?.[table]) ? snapshot.tables[table]! : []).flatMap((value) => {
      const keyPath = writeContext.tables.get(table)!.keyPath
      const verdict = checkRemote(writeContext, userId, {
        table,
        key: value?.[keyPath],
        op: 'put',
        value,
        revision: 'backup',
      })
      if ('accepted' in verdict) return [verdict.accepted.value!]
      logger.warn(
        `[autosync] [restore] skipped a "${table}" record: ${'refused' in verdict ? verdict.refused : 'another user'}`,
      )
      return []
    }),
  )
  const database = await internals.database()
  const transaction = database.transaction([...tables, outboxStore, metadataStore], 'readwrite')
  const done = whenDone(transaction)
  done.catch(() => {})
  const now = clock.now()
  const events: StorageEvent[] = []
  try {
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
    await done
  } catch (error) {
    try {
      transaction.abort()
    } catch {}
    throw error
  }
  const restored = records.reduce((sum, list) => sum + list.length, 0)
  records.forEach((list, index) => {
    for (const value of list) {
      const table = tables[index]!
      events.push({
        type: 'create',
        table,
        key: value[writeContext.tables.get(table)!.keyPath] as never,
        value,
        userId,
        timestamp: now,
        origin: 'remote',
      })
    }
  })
  internals.announce(events)
  await engine.recount()
  engine.emit({ type: 'restore-succeeded', backupId: snapshot.backupId, records: restored })
  return { backupId: snapshot.backupId, records: restored }
}
