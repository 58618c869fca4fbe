/** Size and count limits the server enforces on every request. */
export interface SyncServerLimits {
  /** Largest request body of `POST /push`, in bytes. Default 5 MiB (5,242,880). */
  maxBodyBytes: number
  /**
   * Largest request body of `POST /backup`, in bytes. Default 16 MiB: a backup is parsed whole, and parsing
   * 49 MiB held the event loop for 1.8 s; at most `maxConcurrentBackups` are read at once.
   */
  maxBackupBytes: number
  /** Backups read at once per instance; one more is answered 429 with `Retry-After`. Default 2. */
  maxConcurrentBackups: number
  /** Deepest nesting of objects and arrays in a record value; deeper changes are rejected one by one. Default 64. */
  maxDepth: number
  /** Time to receive a request's headers, in milliseconds (Node's `headersTimeout`). Default 10,000. */
  headersTimeoutMs: number
  /** Time to receive a whole request, in milliseconds (Node's `requestTimeout`): a dripped body is cut. Default 60,000. */
  requestTimeoutMs: number
  /** Open connections per instance (Node's `maxConnections`); more are refused. Default 1,024. */
  maxConnections: number
  /** `GET /events` streams one user may hold open on one instance; one more is 429. Default 8. */
  maxStreamsPerUser: number
  /** `GET /events` streams on one instance; one more is 429. Default 512. */
  maxStreams: number
  /** A comment line on every stream this often, so proxies and clients see it alive. Default 25,000 ms. */
  streamHeartbeatMs: number
  /** A stream without a hint for this long ends (`event: bye`); the client reconnects. Default 900,000 ms. */
  streamIdleMs: number
  /**
   * Bytes a live stream may write without its socket draining (kernel buffers included, which hide a client that
   * stopped reading) before it ends with `bye`. Default 65,536.
   */
  maxStreamBufferBytes: number
  /** After a stream ended for its byte budget, how long a client that does not read keeps its socket. Default 5,000. */
  streamCloseGraceMs: number
  /** Most changes in one push batch. Default 1000. */
  maxChangesPerBatch: number
  /** Largest stored record (its value serialized as JSON), in bytes. Default 1 MiB. */
  maxRecordBytes: number
}

export const defaultLimits: SyncServerLimits = Object.freeze({
  maxBodyBytes: 5 * 1024 * 1024,
  maxBackupBytes: 16 * 1024 * 1024,
  maxConcurrentBackups: 2,
  maxDepth: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxConnections: 1024,
  maxStreamsPerUser: 8,
  maxStreams: 512,
  streamHeartbeatMs: 25_000,
  streamIdleMs: 900_000,
  maxStreamBufferBytes: 65_536,
  streamCloseGraceMs: 5_000,
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
