import type { StorageLifecycleEvent } from '../types'
import { type Engine, openBurst } from './engine'

/** Least time between two outbox counts caused by captures (each count reads the persisted outbox). */
const countIntervalMs = 250

/**
 * Follows the storage's captures while the engine runs: each one of the active user extends the burst, and the
 * outbox is recounted at once, then at most every countIntervalMs during a burst. Returns a function that stops.
 */
export function watchCaptures(engine: Engine): () => void {
  const { state, clock, recount } = engine
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
    state.latestSeq = Math.max(state.latestSeq, event.seq)
    if (!event.userIds.includes(state.userId)) return
    state.bufferedEvents++
    // A lower bound known at once, so the status is right when the write resolves; the recount makes it exact.
    if (event.keys && event.userIds.length === 1) state.pendingChanges = Math.max(state.pendingChanges, event.keys)
    openBurst(state, clock.now())
    engine.refresh()
    if (countTimer !== undefined) return
    const wait = countedAt + countIntervalMs - clock.now()
    if (wait > 0) countTimer = clock.setTimeout(count, wait)
    else count()
  })
  return () => {
    unsubscribe()
    clock.clearTimeout(countTimer)
  }
}
