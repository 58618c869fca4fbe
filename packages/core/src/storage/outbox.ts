import type { Outbox, OutboxSummary, RecordKey } from '../types'
import { changeIdentity, type FoldedChange, foldChange, type OutboxEntry, toPendingChange } from './coalesce'
import { metadataStore, outboxStore, versionsPerEntry } from './constants'
import { result, transact, walkCursor } from './request'

export interface AcknowledgedVersion {
  table: string
  key: RecordKey
  seq: number
  /** When given (a PendingChange is passed), only that user's versions are affected. */
  userId?: string | null
}

interface WalkOptions {
  /** `undefined`: every user. */
  userId?: string | null
  afterSeq?: number
  limit?: number
}

/** Walks the outbox entries in `range`, in version order. */
const walkOutbox = (
  transaction: IDBTransaction,
  range: IDBKeyRange | null,
  visit: (cursor: IDBCursorWithValue, entry: OutboxEntry) => boolean | void,
) => walkCursor(transaction.objectStore(outboxStore).openCursor(range), (cursor) => visit(cursor, cursor.value))

/** Metadata key of the highest version ever handed to an adapter (see `markSent`). */
const sentThroughKey = 'outbox.sentThrough'

/** Streams the outbox in version order with a cursor and folds changes per (user, table, key). */
export async function foldOutbox(transaction: IDBTransaction, options: WalkOptions): Promise<FoldedChange[]> {
  const sentThrough = ((await result(transaction.objectStore(metadataStore).get(sentThroughKey))) as number) ?? -1
  const afterSeq = options.afterSeq ?? -1
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  const folded = new Map<string, FoldedChange>()
  let live = 0
  const range = afterSeq >= 0 ? IDBKeyRange.lowerBound(Math.floor(afterSeq / versionsPerEntry)) : null
  await walkOutbox(transaction, range, (_cursor, entry) => {
    for (let index = 0; index < entry.changes.length; index++) {
      const change = entry.changes[index]
      const seq = entry.id * versionsPerEntry + index
      if (!change || (options.userId !== undefined && change.userId !== options.userId) || seq <= afterSeq) continue
      const identity = changeIdentity(change.userId, change.table, change.key)
      const previous = folded.get(identity)
      const next = foldChange(previous, change, seq, entry.timestamp, seq <= sentThrough)
      const added = (next.op === 'none' ? 0 : 1) - (previous && previous.op !== 'none' ? 1 : 0)
      // Stop before the limit is exceeded; later versions of listed records stay for the next read.
      if (added > 0 && live >= limit) return false
      live += added
      folded.set(identity, next)
    }
  })
  return [...folded.values()]
}

/** Applies `edit` to every stored change at or below the given version of its record, in the caller's transaction. */
function editVersions(
  transaction: IDBTransaction,
  versions: readonly AcknowledgedVersion[],
  edit: (entry: OutboxEntry, index: number) => boolean,
): Promise<void> {
  const targets = new Map<string, AcknowledgedVersion>()
  let highest = -1
  for (const version of versions) {
    const identity = changeIdentity(null, version.table, version.key)
    if ((targets.get(identity)?.seq ?? -1) < version.seq) targets.set(identity, version)
    highest = Math.max(highest, version.seq)
  }
  if (highest < 0) return Promise.resolve()
  const range = IDBKeyRange.upperBound(Math.floor(highest / versionsPerEntry))
  return walkOutbox(transaction, range, (cursor, entry) => {
    let changed = false
    entry.changes.forEach((change, index) => {
      const target = change && targets.get(changeIdentity(null, change.table, change.key))
      if (
        target &&
        (target.userId === undefined || target.userId === change.userId) &&
        entry.id * versionsPerEntry + index <= target.seq
      ) {
        changed = edit(entry, index) || changed
      }
    })
    if (changed) {
      if (entry.changes.every((change) => change === null)) cursor.delete()
      else cursor.update(entry)
    }
  })
}

/** Removes every version up to each acknowledged `seq`, in the caller's readwrite transaction. */
export function acknowledgeIn(transaction: IDBTransaction, versions: readonly AcknowledgedVersion[]): Promise<void> {
  return editVersions(transaction, versions, (entry, index) => {
    entry.changes[index] = null
    return true
  })
}

function summarize(folded: FoldedChange[]): OutboxSummary {
  const summary: OutboxSummary = { tables: {}, total: 0, oldestTimestamp: null }
  const oldest = (current: number | null, timestamp: number) => Math.min(current ?? timestamp, timestamp)
  for (const { table, firstTimestamp } of folded) {
    summary.tables[table] ??= { pending: 0, oldestTimestamp: null }
    const entry = summary.tables[table]
    entry.pending++
    summary.total++
    entry.oldestTimestamp = oldest(entry.oldestTimestamp, firstTimestamp)
    summary.oldestTimestamp = oldest(summary.oldestTimestamp, firstTimestamp)
  }
  return summary
}

export function createOutbox(database: () => Promise<IDBDatabase>): Outbox {
  const run = <T>(action: string, mode: IDBTransactionMode, body: (transaction: IDBTransaction) => Promise<T>) =>
    transact(database, `outbox.${action}`, [outboxStore, metadataStore], mode, body)
  const folded = (action: string, options: WalkOptions = {}) =>
    run(action, 'readonly', (transaction) => foldOutbox(transaction, options))
  const live = (changes: FoldedChange[]) => changes.filter((change) => change.op !== 'none')

  const outbox: Outbox = {
    async read(options) {
      const changes = await folded('read', options)
      // A create deleted before any push is nothing to send: drop its versions now.
      const cancelled = changes.filter((change) => change.op === 'none')
      if (cancelled.length > 0) await outbox.acknowledge(cancelled)
      return live(changes).map(toPendingChange)
    },
    count: async (options) => live(await folded('count', options)).length,
    summary: async (options) => summarize(live(await folded('summary', options))),
    acknowledge: (versions) => run('acknowledge', 'readwrite', (transaction) => acknowledgeIn(transaction, versions)),
    // Everything up to the highest version handed to an adapter counts as sent from now on, so deleting
    // such a record later is pushed instead of cancelling its create. One small write, not a rewrite of entries.
    markSent: (versions) =>
      run('markSent', 'readwrite', async (transaction) => {
        const store = transaction.objectStore(metadataStore)
        const current = ((await result(store.get(sentThroughKey))) as number | undefined) ?? -1
        const highest = Math.max(current, ...versions.map((version) => version.seq))
        if (highest > current) store.put(highest, sentThroughKey)
      }),
    purgeUser: (userId) =>
      run('purgeUser', 'readwrite', async (transaction) => {
        const changes = await foldOutbox(transaction, { userId })
        await acknowledgeIn(transaction, changes)
        return live(changes).length
      }),
  }
  return outbox
}
