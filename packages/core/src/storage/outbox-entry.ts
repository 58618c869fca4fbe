import type { RecordKey } from '../types'
import type { OutboxChange } from './coalesce'
import { changesPerEntry, outboxStore, versionsPerEntry } from './constants'
import { result } from './request'

/** What one captured or queued change says: the only place an `OutboxChange` is built. */
export interface ChangeFields {
  table: string
  key: RecordKey
  userId: string | null
  op: 'put' | 'delete'
  /** The record as JSON text (puts). */
  json?: string | undefined
  /** The record did not exist before this write (a create). Default false. */
  created?: boolean
  changedFields?: string[] | undefined
}

export function outboxChange(fields: ChangeFields): OutboxChange {
  const change: OutboxChange = {
    table: fields.table,
    key: fields.key,
    op: fields.op,
    created: fields.created ?? false,
    userId: fields.userId,
  }
  if (fields.json !== undefined) change.json = fields.json
  if (fields.changedFields) change.changedFields = fields.changedFields
  return change
}

/**
 * Adds `changes` to the outbox in `transaction`, split into entries of at most `changesPerEntry`; the requests are
 * issued at once (a caller may commit right after) and resolve with each change's version (`seq`), in order.
 */
export function addToOutbox(
  transaction: IDBTransaction,
  timestamp: number,
  changes: readonly OutboxChange[],
): Promise<number[]> {
  const entries: Promise<number[]>[] = []
  // A transaction over local-only tables has no outbox store: nothing is asked of it then.
  for (let start = 0; start < changes.length; start += changesPerEntry) {
    const slice = changes.slice(start, start + changesPerEntry)
    const added = result(transaction.objectStore(outboxStore).add({ timestamp, changes: slice }))
    entries.push(added.then((id) => slice.map((_, index) => (id as number) * versionsPerEntry + index)))
  }
  return Promise.all(entries).then((seqs) => seqs.flat())
}
