import type { PendingChange, RecordKey } from '../types'
import { parseJsonSafely } from '../validation'

/** One captured change as stored inside an outbox entry. Acknowledged changes become `null` so indexes (versions) stay put. */
export interface OutboxChange {
  table: string
  key: RecordKey
  op: 'put' | 'delete'
  /** The record as JSON text at write time (puts only). */
  json?: string
  changedFields?: string[]
  /** Whether the record did not exist before this write. */
  created: boolean
  userId: string | null
  /** Set by `markSent`: the backend may hold this write even without an ack. */
  sent?: true
}

/** One outbox record per transaction; `id` comes from the store's key generator. */
export interface OutboxEntry {
  id: number
  timestamp: number
  changes: (OutboxChange | null)[]
}

/** The folded state of one (user, table, key); `none` is a create cancelled by a delete before any push. */
export interface FoldedChange {
  table: string
  key: RecordKey
  op: 'put' | 'delete' | 'none'
  json?: string
  changedFields?: string[]
  created: boolean
  seq: number
  firstSeq: number
  timestamp: number
  firstTimestamp: number
  userId: string | null
  /** Whether any folded write was handed to an adapter. */
  sent: boolean
}

/** Identity of a record in the outbox: number 1 and string '1' are different keys. */
export function changeIdentity(userId: string | null, table: string, key: RecordKey): string {
  return `${userId}\u0000${table}\u0000${typeof key}\u0000${key}`
}

function unionFields(left: string[], right: string[]): string[] {
  return [...new Set([...left, ...right])]
}

/**
 * DESIGN's coalescing rules: create+update = create, update+delete = delete, create+delete = nothing
 * (unless the create was sent),
 * delete+put = a full put; updates keep the union of changed fields and the latest value.
 */
export function foldChange(
  previous: FoldedChange | undefined,
  change: OutboxChange,
  seq: number,
  timestamp: number,
  sentBefore = false,
): FoldedChange {
  // Only updates carry changedFields, so a first change keeps its own.
  // Built field by field: the first fold of a key is the hot path of every read and count.
  if (!previous)
    return {
      table: change.table,
      key: change.key,
      op: change.op,
      json: change.json,
      changedFields: change.changedFields,
      created: change.created,
      seq,
      firstSeq: seq,
      timestamp,
      firstTimestamp: timestamp,
      userId: change.userId,
      sent: sentBefore || change.sent === true,
    }
  const created = previous.created
  let op: FoldedChange['op'] = 'put'
  let changedFields: string[] | undefined
  const sent = previous.sent || sentBefore || change.sent === true
  // A create the backend may already hold (sent, ack lost) is not cancelled: its delete is pushed.
  if (change.op === 'delete') op = created && !sent ? 'none' : 'delete'
  else if (previous.op === 'put' && !created && previous.changedFields && change.changedFields) {
    changedFields = unionFields(previous.changedFields, change.changedFields)
  }
  return {
    ...previous,
    op,
    json: op === 'put' ? change.json : undefined,
    changedFields,
    seq,
    timestamp,
    userId: change.userId,
    sent,
  }
}

/** The adapter's view: a cancelled (`none`) change never gets here. */
export function toPendingChange({ json, changedFields, firstTimestamp, sent, ...rest }: FoldedChange): PendingChange {
  const pending = rest as PendingChange
  if (json !== undefined) pending.value = parseJsonSafely(json)
  if (changedFields) pending.changedFields = changedFields
  return pending
}
