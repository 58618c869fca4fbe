import { nestsDeeperThan } from '../http/deep-json'
import { invalidBody } from '../http/http-error'
import { isValidStringKey, isValidTableName } from './names'
import { expectNonNegativeInteger, expectObject, expectOptionalUserId, expectString, isPlainObject } from './shape'

export interface IncomingBackup {
  backupId: string
  clientId: string
  userId: string | null
  createdAt: number
  tables: Record<string, Record<string, unknown>[]>
}

const backupFields = ['backupId', 'clientId', 'userId', 'createdAt', 'tables'] as const

/** A backup id follows the string-key rules, at most 256 UTF-8 bytes, and is not `latest` (that path names the newest). */
export function isValidBackupId(backupId: string): boolean {
  return isValidStringKey(backupId, 256) && backupId !== 'latest'
}

/** Checks the shape of a `POST /backup` body; 400 naming the first offending field. */
export function parseBackupBody(raw: unknown, maxDepth: number): IncomingBackup {
  const body = expectObject(raw, '(body)', backupFields)
  const backupId = expectString(body.backupId, 'backupId')
  if (!isValidBackupId(backupId)) {
    throw invalidBody('backupId', 'must be 1..256 bytes without /, \\, control characters, and not ., .. or latest')
  }
  const clientId = expectString(body.clientId, 'clientId')
  const userId = expectOptionalUserId(body.userId, 'userId')
  const createdAt = expectNonNegativeInteger(body.createdAt, 'createdAt')
  if (!isPlainObject(body.tables)) throw invalidBody('tables', 'must be an object')
  const tables: Record<string, Record<string, unknown>[]> = Object.create(null)
  for (const [table, records] of Object.entries(body.tables)) {
    if (!isValidTableName(table)) throw invalidBody(`tables.${table}`, 'is not a valid table name')
    if (!Array.isArray(records) || !records.every(isPlainObject)) {
      throw invalidBody(`tables.${table}`, 'must be an array of objects')
    }
    // Checked before the snapshot is serialized: JSON.stringify throws past a few thousand levels.
    const deep = records.findIndex((record) => nestsDeeperThan(record, maxDepth))
    if (deep >= 0) throw invalidBody(`tables.${table}[${deep}]`, `nests deeper than ${maxDepth} levels`)
    tables[table] = records
  }
  return { backupId, clientId, userId, createdAt, tables }
}
