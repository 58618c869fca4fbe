import type { ServerLogger } from '../logger'
import type { SyncStore } from '../store/sync-store'

/** Pruning runs at most this often per server instance: one indexed delete, whatever the traffic. */
const pruneIntervalMs = 60 * 60 * 1000
const defaultRetentionMs = 7 * 24 * 60 * 60 * 1000

/**
 * Returns a function that deletes batch answers older than `retentionMs` when the last pruning is an interval
 * ago. It never waits for the database and never throws: a failed pruning is logged and tried again later.
 */
export function createBatchPruner(
  store: SyncStore,
  clock: { now(): number },
  logger: ServerLogger,
  retentionMs = defaultRetentionMs,
): () => void {
  if (!(retentionMs > 0)) {
    throw new TypeError(`[autosync] [server] batchRetentionMs must be positive, got ${String(retentionMs)}`)
  }
  let nextPruneAt = Number.NEGATIVE_INFINITY
  return () => {
    const now = clock.now()
    if (retentionMs === Number.POSITIVE_INFINITY || now < nextPruneAt) return
    nextPruneAt = now + pruneIntervalMs
    store.pruneBatches(now - retentionMs).then(
      (count) => {
        if (count > 0) logger.info({ event: 'batches-pruned', count })
      },
      (error: unknown) => logger.warn({ event: 'batches-prune-failed', message: (error as Error)?.message }),
    )
  }
}
