import type { IDBPDatabase, IDBPTransaction } from 'idb'
import type { Outbox, OutboxSummary, PendingChange, RecordKey } from '../types'
import { changeIdentity, type FoldedChange, foldChange, type OutboxEntry, toPendingChange } from './coalesce'
import { outboxStore, versionsPerEntry } from './constants'
import { mapStorageError } from './map-error'

type AnyTransaction = IDBPTransaction<unknown, string[], IDBTransactionMode>

export interface AcknowledgedVersion {
  table: string
  key: RecordKey
  seq: number
  /** When given (a PendingChange is passed), only that user's versions are removed. */
  userId?: string | null
}

interface WalkOptions {
  /** `undefined`: every user. */
  userId?: string | null
  afterSeq?: number
  limit?: number
}

/** Streams the outbox in version order with a cursor and folds changes per (user, table, key). */
async function walk(transaction: AnyTransaction, options: WalkOptions): Promise<Map<string, FoldedChange>> {
  const afterSeq = options.afterSeq ?? -1
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  const allUsers = options.userId === undefined
  const folded = new Map<string, FoldedChange>()
  let live = 0
  const range = afterSeq >= 0 ? IDBKeyRange.lowerBound(Math.floor(afterSeq / versionsPerEntry)) : null
  let cursor = await transaction.objectStore(outboxStore).openCursor(range)
  while (cursor) {
    const entry = cursor.value as OutboxEntry
    for (let index = 0; index < entry.changes.length; index++) {
      const change = entry.changes[index]
      if (!change || (!allUsers && change.userId !== options.userId)) continue
      const seq = entry.id * versionsPerEntry + index
      if (seq <= afterSeq) continue
      const identity = changeIdentity(change.userId, change.table, change.key)
      const previous = folded.get(identity)
      const next = foldChange(previous, change, seq, entry.timestamp)
      const added = (next.op === 'none' ? 0 : 1) - (previous && previous.op !== 'none' ? 1 : 0)
      // Stop before the limit is exceeded; later versions of listed records stay for the next read.
      if (added > 0 && live >= limit) return folded
      live += added
      folded.set(identity, next)
    }
    cursor = await cursor.continue()
  }
  return folded
}

/** Applies `edit` to every stored change at or below the given version of its record; runs in the caller's transaction. */
async function editVersions(
  transaction: AnyTransaction,
  versions: readonly AcknowledgedVersion[],
  edit: (entry: OutboxEntry, index: number) => boolean,
): Promise<void> {
  if (versions.length === 0) return
  const byRecord = new Map<string, { seq: number; userId?: string | null }>()
  let highest = 0
  for (const version of versions) {
    const identity = `${version.table}\u0000${typeof version.key}\u0000${version.key}`
    const known = byRecord.get(identity)
    if (!known || known.seq < version.seq) byRecord.set(identity, { seq: version.seq, userId: version.userId })
    highest = Math.max(highest, version.seq)
  }
  const noop = () => {}
  let cursor = await transaction
    .objectStore(outboxStore)
    .openCursor(IDBKeyRange.upperBound(Math.floor(highest / versionsPerEntry)))
  while (cursor) {
    const entry = cursor.value as OutboxEntry
    let changed = false
    entry.changes.forEach((change, index) => {
      if (!change) return
      const target = byRecord.get(`${change.table}\u0000${typeof change.key}\u0000${change.key}`)
      const seq = entry.id * versionsPerEntry + index
      const sameUser = target?.userId === undefined || target.userId === change.userId
      if (target && sameUser && seq <= target.seq && edit(entry, index)) changed = true
    })
    if (changed) {
      const empty = entry.changes.every((change) => change === null)
      ;(empty ? cursor.delete!() : cursor.update!(entry)).catch(noop)
    }
    cursor = await cursor.continue()
  }
}

/** Removes every version up to each acknowledged `seq`; runs inside the caller's readwrite transaction. */
export function acknowledgeIn(transaction: AnyTransaction, versions: readonly AcknowledgedVersion[]): Promise<void> {
  return editVersions(transaction, versions, (entry, index) => {
    entry.changes[index] = null
    return true
  })
}

/** Marks writes as handed to an adapter, so deleting the record later is pushed instead of cancelling the create. */
function markSentIn(transaction: AnyTransaction, versions: readonly AcknowledgedVersion[]): Promise<void> {
  return editVersions(transaction, versions, (entry, index) => {
    const change = entry.changes[index]!
    if (change.op !== 'put' || change.sent) return false
    change.sent = true
    return true
  })
}

function summarize(folded: Iterable<FoldedChange>): OutboxSummary {
  const summary: OutboxSummary = { tables: {}, total: 0, oldestTimestamp: null }
  for (const change of folded) {
    if (change.op === 'none') continue
    const table = summary.tables[change.table] ?? { pending: 0, oldestTimestamp: null }
    summary.tables[change.table] = table
    table.pending++
    summary.total++
    if (table.oldestTimestamp === null || change.firstTimestamp < table.oldestTimestamp) {
      table.oldestTimestamp = change.firstTimestamp
    }
    if (summary.oldestTimestamp === null || change.firstTimestamp < summary.oldestTimestamp) {
      summary.oldestTimestamp = change.firstTimestamp
    }
  }
  return summary
}

export interface OutboxOptions {
  database(): Promise<IDBPDatabase>
}

export function createOutbox(options: OutboxOptions): Outbox {
  async function run<T>(
    mode: IDBTransactionMode,
    action: string,
    body: (transaction: AnyTransaction) => Promise<T>,
  ): Promise<T> {
    const database = await options.database()
    try {
      const transaction = database.transaction([outboxStore], mode) as AnyTransaction
      const result = await body(transaction)
      await transaction.done
      return result
    } catch (error) {
      throw mapStorageError(error, `outbox.${action}`)
    }
  }

  const outbox: Outbox = {
    async read(readOptions) {
      const folded = await run('readonly', 'read', (transaction) => walk(transaction, readOptions))
      const pending: PendingChange[] = []
      const cancelled: AcknowledgedVersion[] = []
      for (const change of folded.values()) {
        if (change.op === 'none') cancelled.push(change)
        else pending.push(toPendingChange(change))
      }
      // A create deleted before any push is nothing to send: drop its versions now.
      if (cancelled.length > 0) await outbox.acknowledge(cancelled)
      return pending
    },
    async count(countOptions = {}) {
      const folded = await run('readonly', 'count', (transaction) => walk(transaction, { userId: countOptions.userId }))
      let total = 0
      for (const change of folded.values()) if (change.op !== 'none') total++
      return total
    },
    async summary(summaryOptions = {}) {
      const folded = await run('readonly', 'summary', (transaction) =>
        walk(transaction, { userId: summaryOptions.userId }),
      )
      return summarize(folded.values())
    },
    acknowledge(versions) {
      return run('readwrite', 'acknowledge', (transaction) => acknowledgeIn(transaction, versions))
    },
    markSent(versions) {
      return run('readwrite', 'markSent', (transaction) => markSentIn(transaction, versions))
    },
    purgeUser(userId) {
      return run('readwrite', 'purgeUser', async (transaction) => {
        const folded = await walk(transaction, { userId })
        const versions = [...folded.values()]
        await acknowledgeIn(transaction, versions)
        return versions.filter((change) => change.op !== 'none').length
      })
    },
  }
  return outbox
}
