import { AutoSyncError, hasMarker } from './auto-sync-error'

const marker = Symbol.for('autosync.error.adapter')

export type AdapterErrorKind =
  | 'network'
  | 'timeout'
  | 'rate-limited'
  | 'server'
  | 'auth'
  | 'rejected'
  | 'conflict'
  | 'protocol'

export interface AdapterErrorOptions {
  kind: AdapterErrorKind
  /** Whether the same request may succeed later; core owns every retry. */
  retryable: boolean
  /** HTTP status (or the backend's equivalent), when there was one. */
  status?: number
  /** The backend asked to wait at least this long (Retry-After); a floor for the next attempt. */
  retryAfterMs?: number
  cause?: unknown
}

/** A failure an adapter classified; anything else thrown by an adapter is a retryable failure. */
export class AdapterError extends AutoSyncError {
  readonly [marker] = true
  override name = 'AdapterError'
  readonly kind: AdapterErrorKind
  readonly retryable: boolean
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined

  constructor(message: string, options: AdapterErrorOptions) {
    super(message, { cause: options.cause })
    this.kind = options.kind
    this.retryable = options.retryable
    this.status = options.status
    this.retryAfterMs = options.retryAfterMs
  }

  static override isInstance(error: unknown): error is AdapterError {
    return hasMarker(error, marker)
  }
}
