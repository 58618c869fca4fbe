import { nestsDeeperThan } from '../http/deep-json'
import { isForbiddenKey } from '../http/parse-json'
import type { SyncServerLimits } from '../limits'
import { encodeRecordKey, isValidStringKey, isValidTableName } from '../validation/names'
import type { IncomingChange, MalformedChange } from '../validation/push-body'
import { isPlainObject } from '../validation/shape'

export interface RejectedChange {
  changeId: string
  reason: string
  code: 'invalid-change' | 'invalid-table' | 'invalid-key' | 'invalid-value' | 'record-too-large' | 'conflict'
}

/** A change that passed the per-change checks, ready to apply. */
export interface PreparedChange {
  changeId: string
  table: string
  /** Encoded record key. */
  key: string
  op: 'put' | 'delete'
  value: Record<string, unknown> | null
  /** `value` serialized once, for full puts; partial updates serialize the merged record. */
  valueText: string | null
  changedFields: string[] | undefined
  seq: number
  /** The writer's clock when it captured the change. */
  timestamp: number
  /** Two-way sync: the revision the change is based on (`null`: none); absent from push-only clients. */
  baseRevision: string | null | undefined
}

// JSON.stringify writes U+0000 as \u0000; an even run of backslashes before it is an escaped backslash instead.
const escapedNul = /(?:^|[^\\])(?:\\\\)*\\u0000/
// JSON.stringify writes paired surrogates as they are and escapes only a lone one.
const escapedLoneSurrogate = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f]/i

/** Why a serialized record cannot be stored, or null when it can. */
export function checkRecordText(changeId: string, valueText: string, limits: SyncServerLimits): RejectedChange | null {
  if (Buffer.byteLength(valueText, 'utf8') > limits.maxRecordBytes) {
    return { changeId, code: 'record-too-large', reason: `record exceeds ${limits.maxRecordBytes} bytes` }
  }
  // PostgreSQL jsonb cannot hold U+0000; refusing it everywhere keeps both stores alike.
  if (escapedNul.test(valueText)) {
    return { changeId, code: 'invalid-value', reason: 'strings in a record may not contain U+0000' }
  }
  if (escapedLoneSurrogate.test(valueText)) {
    return { changeId, code: 'invalid-value', reason: 'strings in a record may not contain lone surrogates' }
  }
  return null
}

/** Per-change checks that reject one change without failing its batch. */
export function prepareChange(
  change: IncomingChange | MalformedChange,
  limits: SyncServerLimits,
): PreparedChange | RejectedChange {
  if ('code' in change) return change
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
  let valueText: string | null = null
  if (change.op === 'put') {
    if (!isPlainObject(change.value)) return { changeId, code: 'invalid-value', reason: 'a put needs an object value' }
    // Before any JSON.stringify: past a few thousand levels it throws, and the whole batch would fail.
    if (nestsDeeperThan(change.value, limits.maxDepth)) {
      return { changeId, code: 'invalid-value', reason: `record nests deeper than ${limits.maxDepth} levels` }
    }
    value = change.value
    if (change.changedFields === undefined) {
      valueText = JSON.stringify(value)
      const problem = checkRecordText(changeId, valueText, limits)
      if (problem) return problem
    }
  }
  const changedFields = change.changedFields?.filter((field) => !isForbiddenKey(field))
  return {
    changeId,
    table: change.table,
    key: encodeRecordKey(change.key),
    op: change.op,
    value,
    valueText,
    changedFields,
    seq: change.seq,
    timestamp: change.timestamp,
    baseRevision: change.baseRevision,
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
