import { ValidationError } from '../errors'
import type { StorageOptions } from '../types'

export const internalStorePrefix = '__autosync'

function fail(message: string, field: string, table?: string): never {
  throw new ValidationError(`[storage] ${message}`, { field, table })
}

function assertPositive(value: number | undefined, field: string, allowZero: boolean): void {
  if (value === undefined) return
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
    fail(`${field} must be a ${allowZero ? 'non-negative' : 'positive'} number`, field)
  }
}

/** Refuses options that would open a database autosync cannot work with. */
export function assertValidOptions(options: StorageOptions): void {
  if (typeof options !== 'object' || options === null) fail('options must be an object', 'options')
  if (typeof options.name !== 'string' || options.name.trim() === '')
    fail('options.name must be a non-empty string', 'options.name')
  if (!Number.isInteger(options.version) || options.version < 1) {
    fail('options.version must be a positive integer', 'options.version')
  }
  assertPositive(options.maxRecordBytes, 'options.maxRecordBytes', false)
  assertPositive(options.blockedTimeoutMs, 'options.blockedTimeoutMs', true)
  if (options.userIdField !== undefined && (typeof options.userIdField !== 'string' || options.userIdField === '')) {
    fail('options.userIdField must be a non-empty string', 'options.userIdField')
  }
  if (typeof options.tables !== 'object' || options.tables === null || Object.keys(options.tables).length === 0) {
    fail('options.tables must name at least one table', 'options.tables')
  }
  for (const [table, definition] of Object.entries(options.tables)) {
    const field = `options.tables.${table}`
    if (table === '' || table.startsWith(internalStorePrefix))
      fail(`table name "${table}" is reserved or empty`, field, table)
    if (typeof definition?.keyPath !== 'string' || definition.keyPath === '') {
      fail(`table "${table}" needs a keyPath (a field name)`, `${field}.keyPath`, table)
    }
  }
}
