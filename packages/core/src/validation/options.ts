import { ValidationError } from '../errors'
import type { StorageOptions } from '../types'

export const internalStorePrefix = '__autosync'

/** Refuses options that would open a database autosync cannot work with; the error names the option. */
export function assertValidOptions(options: StorageOptions): void {
  const check = (ok: unknown, field: string, message: string, table?: string) => {
    if (!ok) throw new ValidationError(`[storage] options.${field} ${message}`, { field: `options.${field}`, table })
  }
  const number = (value: unknown, allowZero: boolean) =>
    value === undefined || (typeof value === 'number' && (allowZero ? value >= 0 : value > 0))
  check(typeof options?.name === 'string' && options.name.trim() !== '', 'name', 'must be a non-empty string')
  check(Number.isInteger(options.version) && options.version > 0, 'version', 'must be a positive integer')
  check(number(options.maxRecordBytes, false), 'maxRecordBytes', 'must be a positive number')
  check(number(options.blockedTimeoutMs, true), 'blockedTimeoutMs', 'must not be negative')
  check(
    options.userIdField === undefined || (typeof options.userIdField === 'string' && options.userIdField),
    'userIdField',
    'must be a non-empty string',
  )
  check(options.tables && Object.keys(options.tables).length > 0, 'tables', 'must name at least one table')
  for (const [table, definition] of Object.entries(options.tables)) {
    check(table && !table.startsWith(internalStorePrefix), `tables.${table}`, 'is an empty or reserved name', table)
    check(
      typeof definition?.keyPath === 'string' && definition.keyPath,
      `tables.${table}.keyPath`,
      'must name a field',
      table,
    )
  }
}
