import { hasMarker } from './auto-sync-error'
import { StorageError } from './storage-error'

const marker = Symbol.for('autosync.error.quota-exceeded')

/** The browser refused the write for lack of space; nothing of the transaction was stored. */
export class QuotaExceededError extends StorageError {
  readonly [marker] = true
  override name = 'QuotaExceededError'

  static override isInstance(error: unknown): error is QuotaExceededError {
    return hasMarker(error, marker)
  }
}
