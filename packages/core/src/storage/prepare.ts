import { ValidationError } from '../errors'
import type { RecordKey, TableConfig, WriteContext } from '../types'

export type { TableConfig, WriteContext }

import { assertValidKey, isPlainObject, serializeRecord } from '../validation'

/** A record validated and serialized before any transaction opens. */
export interface PreparedRecord {
  table: TableConfig
  key: RecordKey
  value: Record<string, unknown>
  /** JSON text for synced tables (what the outbox keeps). */
  json: string | undefined
  userId: string | null
}

/** A ValidationError naming the table, the key and the field (the key field unless told). */
export function invalid(table: TableConfig, key: unknown, message: string, field = table.keyPath): ValidationError {
  return new ValidationError(`[storage] ${message} ("${table.name}")`, { table: table.name, key, field })
}

export function tableConfig(context: WriteContext, table: string): TableConfig {
  const config = typeof table === 'string' ? context.tables.get(table) : undefined
  if (!config)
    throw new ValidationError(`[storage] unknown table "${String(table)}"`, { table: String(table), field: 'table' })
  return config
}

export function ownerOf(context: WriteContext, value: Record<string, unknown> | undefined): string | null {
  const field = context.userIdField
  const owner = field && value ? value[field] : undefined
  return typeof owner === 'string' ? owner : context.activeUserId()
}

export function assertKey(context: WriteContext, table: TableConfig, key: unknown): asserts key is RecordKey {
  assertValidKey(table.name, key, table.strictKeys, table.keyPath, context.isKey)
}

/** Validates a whole record for `table` and serializes it when the table syncs. */
export function prepareValue(context: WriteContext, table: TableConfig, value: unknown, key?: unknown): PreparedRecord {
  if (!isPlainObject(value)) throw invalid(table, key, 'a record must be a plain object', 'value')
  const recordKey = value[table.keyPath]
  if (recordKey === undefined) throw invalid(table, undefined, `a record needs its key field "${table.keyPath}"`)
  assertKey(context, table, recordKey)
  const json = table.sync ? serializeRecord(table.name, recordKey, value, context.maxRecordBytes) : undefined
  return { table, key: recordKey, value, json, userId: ownerOf(context, value) }
}

export function prepareRecord(context: WriteContext, table: string, value: unknown): PreparedRecord {
  return prepareValue(context, tableConfig(context, table), value)
}
