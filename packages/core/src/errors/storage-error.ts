import { AutoSyncError, hasMarker } from './auto-sync-error'

const marker = Symbol.for('autosync.error.storage')

/** IndexedDB failed: blocked upgrade, closed connection, aborted transaction. */
export class StorageError extends AutoSyncError {
  readonly [marker] = true
  override name = 'StorageError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(`[autosync] ${message}`, options)
  }

  static override isInstance(error: unknown): error is StorageError {
    return hasMarker(error, marker)
  }
}
