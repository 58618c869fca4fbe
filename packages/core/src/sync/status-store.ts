import type { Logger, SyncStatus } from '../types'
import { notifyAll } from './lifecycle'

export type StatusStore = ReturnType<typeof createStatusStore>

/** Immutable snapshots: a change makes a new frozen object and notifies subscribers once. */
export function createStatusStore(initial: SyncStatus, logger: Logger) {
  let status = Object.freeze(initial)
  const listeners = new Set<(status: SyncStatus) => void>()
  return {
    get: () => status,
    set(next: Partial<SyncStatus>): void {
      const keys = Object.keys(next) as (keyof SyncStatus)[]
      if (keys.every((key) => Object.is(status[key], next[key]))) return
      status = Object.freeze({ ...status, ...next })
      notifyAll(listeners, status, logger, 'status subscriber')
    },
    subscribe(listener: (status: SyncStatus) => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
