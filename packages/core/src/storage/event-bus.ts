import type { Logger, StorageEvent, StorageEventBus } from '../types'
import { createSubscribable, type Subscribable } from './subscribable'

export interface StorageEventHub extends StorageEventBus {
  emit(events: readonly StorageEvent[]): void
}

/** `on(table)` and `onAny` listeners of committed writes. */
export function createEventBus(logger: Logger): StorageEventHub {
  const any = createSubscribable<StorageEvent>(logger, 'storage event')
  const byTable = new Map<string, Subscribable<StorageEvent>>()
  return {
    on(table, listener) {
      let listeners = byTable.get(table)
      if (!listeners) {
        listeners = createSubscribable<StorageEvent>(logger, 'storage event')
        byTable.set(table, listeners)
      }
      return listeners.subscribe(listener)
    },
    onAny: (listener) => any.subscribe(listener),
    emit(events) {
      for (const event of events) {
        byTable.get(event.table)?.emit(event)
        any.emit(event)
      }
    },
  }
}
