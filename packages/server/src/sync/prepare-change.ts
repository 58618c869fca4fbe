import { isForbiddenKey } from '../http/parse-json'
import type { SyncServerLimits } from '../limits'
import { encodeRecordKey, isValidStringKey, isValidTableName } from '../validation/names'
import type { IncomingChange } from '../validation/push-body'
import { isPlainObject } from '../validation/shape'

export interface RejectedChange {
  changeId: string
  reason: string
  code: 'invalid-table' | 'invalid-key' | 'invalid-value' | 'record-too-large'
}

/** A change that passed the per-change checks, ready to apply. */
export interface PreparedChange {
  changeId: string
  table: string
  /** Encoded record key. */
  key: string
  op: 'put' | 'delete'
  value: Record<string, unknown> | null
  changedFields: string[] | undefined
  seq: number
}

export function recordBytes(value: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8')
}

/** Per-change checks that reject one change without failing its batch. */
export function prepareChange(change: IncomingChange, limits: SyncServerLimits): PreparedChange | RejectedChange {
  const { changeId } = change
  if (!isValidTableName(change.table)) {
    return { changeId, code: 'invalid-table', reason: 'table name must match ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$' }
  }
  const keyOk = typeof change.key === 'number' ? Number.isFinite(change.key) : isValidStringKey(change.key)
  if (!keyOk) {
    return {
      changeId,
      code: 'invalid-key',
      reason: 'key must be a finite number or 1..512 bytes without /, \\, control characters, and not . or ..',
    }
  }
  let value: Record<string, unknown> | null = null
  if (change.op === 'put') {
    if (!isPlainObject(change.value)) return { changeId, code: 'invalid-value', reason: 'a put needs an object value' }
    value = change.value
    if (change.changedFields === undefined && recordBytes(value) > limits.maxRecordBytes) {
      return { changeId, code: 'record-too-large', reason: `record exceeds ${limits.maxRecordBytes} bytes` }
    }
  }
  const changedFields = change.changedFields?.filter((field) => !isForbiddenKey(field))
  return {
    changeId,
    table: change.table,
    key: encodeRecordKey(change.key),
    op: change.op,
    value,
    changedFields,
    seq: change.seq,
  }
}

export function isRejected(change: PreparedChange | RejectedChange): change is RejectedChange {
  return 'code' in change
}

/** Shallow merge of the listed fields: present ones are set, absent ones removed. */
export function mergeChangedFields(
  current: Record<string, unknown> | null,
  patch: Record<string, unknown>,
  changedFields: readonly string[],
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...(current ?? {}) }
  for (const field of changedFields) {
    if (Object.hasOwn(patch, field)) merged[field] = patch[field]
    else delete merged[field]
  }
  return merged
}
