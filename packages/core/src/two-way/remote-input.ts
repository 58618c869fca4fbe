import { assertKey, type TableConfig, type WriteContext } from '../storage/prepare'
import type { RecordKey, RemoteChange } from '../types'
import { isPlainObject, parseJsonSafely, serializeRecord } from '../validation'
import { mentionsDangerousKey } from '../validation/safe-json'

/** A remote change that passed the checks local writes pass. */
export interface AcceptedRemote {
  table: TableConfig
  key: RecordKey
  op: 'put' | 'delete'
  /** For puts: the record (or its changed fields), with dangerous keys dropped. */
  value?: Record<string, unknown>
  changedFields?: string[]
  revision: string
  changeId?: string
  timestamp: number
}

export type RemoteVerdict =
  | { accepted: AcceptedRemote }
  | { refused: string; table: string; key: RecordKey }
  | { foreign: string; table: string; key: RecordKey }

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string')

/**
 * Remote input is untrusted: the table must be a synced one, the key addressable, the value a JSON record within
 * `maxRecordBytes`, and a record naming another user (by `userIdField`) is not this user's to apply.
 */
export function checkRemote(context: WriteContext, userId: string | null, input: unknown): RemoteVerdict {
  const object = isPlainObject(input)
  const change = (object ? input : {}) as Partial<RemoteChange>
  const tableName = String(change.table)
  const key = (typeof change.key === 'number' ? change.key : String(change.key)) as RecordKey
  const refuse = (reason: string): RemoteVerdict => ({ refused: `[autosync] [pull] ${reason}`, table: tableName, key })
  if (!object) return refuse('not an object')
  const table = context.tables.get(tableName)
  if (!table?.sync) return refuse(`no synced table ${tableName}`)
  if (change.op !== 'put' && change.op !== 'delete') return refuse('bad op')
  if (typeof change.revision !== 'string' || change.revision === '') return refuse('bad revision')
  if (change.changeId !== undefined && typeof change.changeId !== 'string') return refuse('bad changeId')
  if (change.changedFields !== undefined && !isStringList(change.changedFields)) {
    return refuse('bad changedFields')
  }
  try {
    assertKey(context, table, change.key)
  } catch (error) {
    return refuse((error as Error).message)
  }
  const accepted: AcceptedRemote = {
    table,
    key: change.key as RecordKey,
    op: change.op,
    revision: change.revision,
    changeId: change.changeId,
    timestamp: Number.isFinite(change.timestamp) ? change.timestamp! : 0,
  }
  if (change.op === 'put') {
    if (!isPlainObject(change.value)) return refuse('not a record')
    let json: string
    try {
      json = serializeRecord(table.name, change.key, change.value, context.maxRecordBytes)
    } catch (error) {
      return refuse((error as Error).message)
    }
    // Reparsing drops `__proto__`, `constructor` and `prototype` keys; most records never name one.
    const value = mentionsDangerousKey.test(json) ? parseJsonSafely<Record<string, unknown>>(json) : change.value
    if (change.changedFields) accepted.changedFields = change.changedFields
    else if (value[table.keyPath] !== change.key) return refuse('key mismatch')
    const owner = context.userIdField === undefined ? undefined : value[context.userIdField]
    if (owner !== undefined && owner !== userId) return { foreign: String(owner), table: tableName, key: accepted.key }
    accepted.value = value
  }
  return { accepted }
}
