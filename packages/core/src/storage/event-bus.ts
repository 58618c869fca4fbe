import { createListeners, type Listeners } from '../runtime/listeners'
import type { Logger, StorageEvent, StorageEventBus } from '../types'

export interface StorageEventHub extends StorageEventBus {
  emit(events: readonly StorageEvent[]): void
}

/** `on(table)` and `onAny` listeners of committed writes. */
export function createEventBus(logger: Logger): StorageEventHub {
  const listeners = () => createListeners<StorageEvent>(logger, () => '[storage] a storage event listener')
  const any = listeners()
  const byTable = new Map<string, Listeners<StorageEvent>>()
  return {
    on(table, listener) {
      let forTable = byTable.get(table)
      if (!forTable) {
        forTable = listeners()
        byTable.set(table, forTable)
      }
      return forTable.subscribe(listener)
    },
    onAny: any.subscribe,
    emit(events) {
      for (const event of events) {
        byTable.get(event.table)?.emit(event)
        any.emit(event)
      }
    },
  }
}
