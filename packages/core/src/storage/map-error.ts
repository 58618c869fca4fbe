import { AutoSyncError, QuotaExceededError, StorageError, ValidationError } from '../errors'

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : undefined
}

const indexedDbErrorNames = new Set([
  'AbortError',
  'ConstraintError',
  'DataCloneError',
  'DataError',
  'InvalidAccessError',
  'InvalidStateError',
  'NotFoundError',
  'QuotaExceededError',
  'ReadOnlyError',
  'TimeoutError',
  'TransactionInactiveError',
  'UnknownError',
  'VersionError',
])

/** An app's own error thrown in a transaction callback is rethrown as it is; IndexedDB's are mapped. */
export function mapTransactionError(error: unknown, action: string): unknown {
  const name = errorName(error)
  return AutoSyncError.isInstance(error) || (name && indexedDbErrorNames.has(name))
    ? mapStorageError(error, action)
    : error
}

/** Turns IndexedDB DOMExceptions into the AutoSyncError family. */
export function mapStorageError(error: unknown, action: string): AutoSyncError {
  if (AutoSyncError.isInstance(error)) return error
  const name = errorName(error)
  if (name === 'QuotaExceededError') {
    return new QuotaExceededError(
      `[storage] ${action} failed: the browser's storage quota is exhausted; nothing was written`,
      {
        cause: error,
      },
    )
  }
  if (name === 'DataCloneError') {
    return new ValidationError(
      `[storage] ${action} failed: the value cannot be stored (structured clone refused it)`,
      {},
      {
        cause: error,
      },
    )
  }
  if (name === 'TransactionInactiveError') {
    return new StorageError(
      `[storage] ${action} failed: the transaction had already finished; await only tx calls inside storage.transaction()`,
      { cause: error },
    )
  }
  const message = error instanceof Error ? error.message : String(error)
  return new StorageError(`[storage] ${action} failed: ${name ?? 'Error'}: ${message}`, { cause: error })
}
