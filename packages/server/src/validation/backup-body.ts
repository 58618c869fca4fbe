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

/** A backup id follows the string-key rules, at most 256 UTF-8 bytes. */
export function isValidBackupId(backupId: string): boolean {
  return isValidStringKey(backupId, 256)
}

/** Checks the shape of a `POST /backup` body; 400 naming the first offending field. */
export function parseBackupBody(raw: unknown): IncomingBackup {
  const body = expectObject(raw, '(body)', backupFields)
  const backupId = expectString(body.backupId, 'backupId')
  if (!isValidBackupId(backupId)) {
    throw invalidBody('backupId', 'must be 1..256 bytes without /, \\, control characters, and not . or ..')
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
    tables[table] = records
  }
  return { backupId, clientId, userId, createdAt, tables }
}
