const marker = Symbol.for('autosync.error')

/** Base class of every error autosync throws; `isInstance` works across duplicated installs. */
export class AutoSyncError extends Error {
  readonly [marker] = true
  override name = 'AutoSyncError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }

  static isInstance(error: unknown): error is AutoSyncError {
    return typeof error === 'object' && error !== null && marker in error
  }
}

/** Builds the `isInstance` check of a subclass from its own `Symbol.for` marker. */
export function hasMarker(error: unknown, subclassMarker: symbol): boolean {
  return typeof error === 'object' && error !== null && subclassMarker in error
}
