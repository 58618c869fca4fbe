import type { Logger, SyncLifecycleEvent } from '../types'

type Listener = (event: never) => void

/** Lifecycle listeners by event type; a throwing listener is logged and never stops the others. */
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
      for (const listener of [...(listeners.get(event.type) ?? [])]) {
        try {
          ;(listener as (event: SyncLifecycleEvent) => void)(event)
        } catch (error) {
          logger.error(`[autosync] [sync] A "${event.type}" listener threw:`, error)
        }
      }
    },
  }
}
