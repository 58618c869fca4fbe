/** Size and count limits the server enforces on every request. */
export interface SyncServerLimits {
  /** Largest request body of `POST /push`, in bytes. Default 5 MiB (5,242,880). */
  maxBodyBytes: number
  /** Largest request body of `POST /backup`, in bytes. Default 50 MiB. */
  maxBackupBytes: number
  /** Most changes in one push batch. Default 1000. */
  maxChangesPerBatch: number
  /** Largest stored record (its value serialized as JSON), in bytes. Default 1 MiB. */
  maxRecordBytes: number
}

export const defaultLimits: SyncServerLimits = Object.freeze({
  maxBodyBytes: 5 * 1024 * 1024,
  maxBackupBytes: 50 * 1024 * 1024,
  maxChangesPerBatch: 1000,
  maxRecordBytes: 1024 * 1024,
})

export function resolveLimits(limits: Partial<SyncServerLimits> = {}): SyncServerLimits {
  const resolved = { ...defaultLimits, ...limits }
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TypeError(`[autosync] [server] limits.${name} must be a positive integer, got ${String(value)}`)
    }
  }
  return resolved
}
