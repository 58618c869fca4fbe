import { AutoSyncError, hasMarker } from './auto-sync-error'

const marker = Symbol.for('autosync.error.validation')

export interface ValidationErrorDetails {
  table?: string
  key?: unknown
  /** The offending field or option, as a dotted path (`value.items.3`, `options.name`). */
  field?: string
}

/** Invalid input, refused before anything was written. */
export class ValidationError extends AutoSyncError {
  readonly [marker] = true
  override name = 'ValidationError'
  readonly table: string | undefined
  readonly key: unknown
  readonly field: string | undefined

  constructor(message: string, details: ValidationErrorDetails = {}, options?: { cause?: unknown }) {
    super(`[autosync] ${message}`, options)
    this.table = details.table
    this.key = details.key
    this.field = details.field
  }

  static override isInstance(error: unknown): error is ValidationError {
    return hasMarker(error, marker)
  }
}
