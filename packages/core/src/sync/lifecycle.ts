import type { Logger, SyncLifecycleEvent } from '../types'

type Listener = (event: never) => void

/** Calls each listener (a snapshot, so one may unsubscribe another); a throwing one is logged and never stops the others. */
export function notifyAll<T>(listeners: Iterable<(value: T) => void>, value: T, logger: Logger, label: string): void {
  for (const listener of [...listeners]) {
    try {
      listener(value)
    } catch (error) {
      logger.error(`[autosync] [sync] A ${label} threw:`, error)
    }
  }
}

/** Lifecycle listeners by event type. */
export function createLifecycle(logger: Logger) {
  const listeners = new Map<string, Set<Listener>>()
  return {
    on(type: string, listener: Listener): () => void {
      const set = listeners.get(type) ?? new Set()
      listeners.set(type, set)
      set.add(listener)
      return () => set.delete(listener)
    },
    emit(event: SyncLifecycleEvent): void {
      notifyAll(listeners.get(event.type) ?? [], event as never, logger, `"${event.type}" listener`)
    },
  }
}
