import { AutoSyncError, QuotaExceededError, StorageError, ValidationError } from '../errors'

/** An app's own error thrown in a transaction callback is rethrown as it is; IndexedDB's are mapped. */
export function mapTransactionError(error: unknown, action: string): unknown {
  return AutoSyncError.isInstance(error) || error instanceof DOMException ? mapStorageError(error, action) : error
}

/** Turns IndexedDB DOMExceptions into the AutoSyncError family. */
export function mapStorageError(error: unknown, action: string): AutoSyncError {
  if (AutoSyncError.isInstance(error)) return error
  const name = (error as Error | undefined)?.name
  const options = { cause: error }
  if (name === 'QuotaExceededError') {
    return new QuotaExceededError(`[storage] ${action}: quota exceeded, nothing written`, options)
  }
  if (name === 'DataCloneError')
    return new ValidationError(`[storage] ${action}: the value cannot be stored`, {}, options)
  const message = (error as Error | undefined)?.message
  const detail = [name, message].filter(Boolean).join(': ') || 'IndexedDB gave no error to report'
  return new StorageError(`[storage] ${action} failed: ${detail}`, options)
}
