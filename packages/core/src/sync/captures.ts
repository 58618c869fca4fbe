import type { StorageLifecycleEvent } from '../types'
import type { Engine } from './engine'

/** Least time between two outbox counts caused by captures (each count reads the persisted outbox). */
const countIntervalMs = 250

/**
 * Follows the storage's captures while the engine runs: each one is dispatched (one of the active user extends the
 * burst), and the outbox is recounted at once, then at most every countIntervalMs during a burst. Returns a
 * function that stops.
 */
export function watchCaptures(engine: Engine): () => void {
  const { scheduler, clock, recount } = engine
  let countedAt = Number.NEGATIVE_INFINITY
  let countTimer: unknown
  const count = () => {
    countTimer = undefined
    countedAt = clock.now()
    void recount(false)
  }
  const unsubscribe = engine.storage.onLifecycle((event: StorageLifecycleEvent) => {
    if (event.type === 'reopened') void recount()
    if (event.type !== 'captured') return
    const mine = event.userIds.includes(scheduler.state.userId)
    // A transaction of one owner tells how many keys it queued; a mixed one only that it queued some.
    const keys = mine && event.userIds.length === 1 ? (event.keys ?? 0) : 0
    scheduler.dispatch({ type: 'captured', seq: event.seq, mine, keys, at: clock.now() })
    if (!mine || countTimer !== undefined) return
    const wait = countedAt + countIntervalMs - clock.now()
    if (wait > 0) countTimer = clock.setTimeout(count, wait)
    else count()
  })
  return () => {
    unsubscribe()
    clock.clearTimeout(countTimer)
  }
}
