import { createListeners } from '../runtime/listeners'
import type { Logger, SyncLifecycleEvent } from '../types'

/** Lifecycle listeners, each for one event type. */
export function createLifecycle(logger: Logger) {
  const listeners = createListeners<SyncLifecycleEvent>(logger, (event) => `[sync] A "${event.type}" listener`)
  return {
    on: (type: string, listener: (event: never) => void) =>
      listeners.subscribe((event) => event.type === type && listener(event as never)),
    emit: listeners.emit,
  }
}
