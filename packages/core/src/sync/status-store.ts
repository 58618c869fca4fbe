import { createListeners } from '../runtime/listeners'
import type { Logger, SyncStatus } from '../types'

export type StatusStore = ReturnType<typeof createStatusStore>

/** Immutable snapshots: a change makes a new frozen object and notifies subscribers once. */
export function createStatusStore(initial: SyncStatus, logger: Logger) {
  let status = Object.freeze(initial)
  const listeners = createListeners<SyncStatus>(logger, () => '[sync] A status subscriber')
  return {
    get: () => status,
    set(next: Partial<SyncStatus>): void {
      const keys = Object.keys(next) as (keyof SyncStatus)[]
      if (keys.every((key) => Object.is(status[key], next[key]))) return
      status = Object.freeze({ ...status, ...next })
      listeners.emit(status)
    },
    subscribe: listeners.subscribe,
  }
}
