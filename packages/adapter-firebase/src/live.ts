import type { AdapterContext } from '@autosync/core'
import type { ResolvedOptions } from './options'
import { collection, onSnapshot, orderBy, query, Timestamp, where } from './sdk'

/**
 * Hints through `onSnapshot` on each table's documents written from now on (a hint, never the data): core pulls
 * after it. One hint once listening, so a pull covers what was written before. Listeners go on unsubscribe.
 */
export function subscribe(options: ResolvedOptions, context: AdapterContext, onHint: () => void): () => void {
  const { firestore, tables, collectionPath } = options
  const userId = context.userId ?? 'anonymous'
  const since = Timestamp.now()
  const stops = tables.map((table) =>
    onSnapshot(
      query(
        collection(firestore, collectionPath(userId, table)),
        where('_updatedAt', '>', since),
        orderBy('_updatedAt'),
      ),
      // Local pending writes fire too; only what the backend holds is worth a pull.
      (snapshot) => {
        if (!snapshot.metadata.hasPendingWrites && snapshot.docChanges().length > 0) onHint()
      },
      (error) => context.logger.warn(`[autosync] [firestore] live listener failed: ${error.code}`),
    ),
  )
  onHint()
  const stop = () => {
    for (const unsubscribe of stops.splice(0)) unsubscribe()
  }
  context.signal.addEventListener('abort', stop, { once: true })
  return stop
}
