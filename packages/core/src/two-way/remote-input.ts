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

/** What kind of value an untrusted one is, without calling any of its methods or echoing its content. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** A protocol field's value for a message: short strings, numbers and booleans as they are, anything else its kind. */
function describeInput(value: unknown): string {
  if (typeof value === 'string' && value.length <= 64) return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return kindOf(value)
}

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string')

/**
 * Remote input is untrusted: the table must be a synced one, the key addressable, the value a JSON record within
 * `maxRecordBytes`, and a record naming another user (by `userIdField`) is not this user's to apply.
 */
export function checkRemote(context: WriteContext, userId: string | null, input: unknown): RemoteVerdict {
  const object = isPlainObject(input)
  const change = (object ? input : {}) as Partial<RemoteChange>
  // Every field is checked for its type before anything reads it: `String({ toString: 1 })` would throw.
  const tableName = typeof change.table === 'string' ? change.table : describeInput(change.table)
  const key = (
    typeof change.key === 'number' || typeof change.key === 'string' ? change.key : describeInput(change.key)
  ) as RecordKey
  const refuse = (reason: string): RemoteVerdict => ({
    refused: `[autosync] [pull] a remote change to ${tableName}/${String(key)} was refused: ${reason}; it was not applied and the rest of the page was`,
    table: tableName,
    key,
  })
  if (!object) return refuse(`the change is ${describeInput(input)}, not an object`)
  if (typeof change.table !== 'string') return refuse(`its table is ${tableName}, not a string`)
  const table = context.tables.get(tableName)
  if (!table?.sync) return refuse(`this app has no synced table named "${tableName}"`)
  if (typeof change.key !== 'string' && typeof change.key !== 'number') {
    return refuse(`its key is ${String(key)}, not a string or a number`)
  }
  if (change.op !== 'put' && change.op !== 'delete') {
    return refuse(`its op is ${describeInput(change.op)}, not 'put' or 'delete'`)
  }
  if (typeof change.revision !== 'string' || change.revision === '') {
    return refuse(`its revision is ${describeInput(change.revision)}, not a non-empty string`)
  }
  if (change.changeId !== undefined && typeof change.changeId !== 'string') {
    return refuse(`its changeId is ${describeInput(change.changeId)}, not a string`)
  }
  if (change.timestamp !== undefined && typeof change.timestamp !== 'number') {
    return refuse(`its timestamp is ${describeInput(change.timestamp)}, not a number`)
  }
  if (change.changedFields !== undefined && !isStringList(change.changedFields)) {
    return refuse('its changedFields is not a list of field names')
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
    if (!isPlainObject(change.value)) return refuse(`its value is ${kindOf(change.value)}, not a record`)
    let json: string
    try {
      json = serializeRecord(table.name, change.key, change.value, context.maxRecordBytes)
    } catch (error) {
      return refuse((error as Error).message)
    }
    // Reparsing drops `__proto__`, `constructor` and `prototype` keys; most records never name one.
    const value = mentionsDangerousKey.test(json) ? parseJsonSafely<Record<string, unknown>>(json) : change.value
    if (change.changedFields) accepted.changedFields = change.changedFields
    else if (value[table.keyPath] !== change.key) {
      return refuse(`its value's ${table.keyPath} is not the change's key`)
    }
    const owner = context.userIdField === undefined ? undefined : value[context.userIdField]
    if (owner !== undefined && owner !== userId) return { foreign: String(owner), table: tableName, key: accepted.key }
    accepted.value = value
  }
  return { accepted }
}
