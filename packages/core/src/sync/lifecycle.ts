import type { Logger, SyncLifecycleEvent } from '../types'

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

/** Lifecycle listeners, each for one event type. */
export function createLifecycle(logger: Logger) {
  const listeners = new Set<(event: SyncLifecycleEvent) => void>()
  return {
    on(type: string, listener: (event: never) => void): () => void {
      const entry = (event: SyncLifecycleEvent) => event.type === type && listener(event as never)
      listeners.add(entry)
      return () => listeners.delete(entry)
    },
    emit: (event: SyncLifecycleEvent) => notifyAll(listeners, event, logger, `"${event.type}" listener`),
  }
}
