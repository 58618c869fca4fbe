const marker = Symbol.for('autosync.error')

/** Base class of every error autosync throws; `isInstance` works across duplicated installs. */
export class AutoSyncError extends Error {
  readonly [marker] = true
  override name = 'AutoSyncError'
  /** A stable machine-readable reason where callers branch on it (`pull-not-enabled`, `restore-would-discard`…). */
  declare readonly code?: string

  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options)
    if (options?.code) this.code = options.code
  }

  static isInstance(error: unknown): error is AutoSyncError {
    return typeof error === 'object' && error !== null && marker in error
  }
}

/** Builds the `isInstance` check of a subclass from its own `Symbol.for` marker. */
export function hasMarker(error: unknown, subclassMarker: symbol): boolean {
  return typeof error === 'object' && error !== null && subclassMarker in error
}
