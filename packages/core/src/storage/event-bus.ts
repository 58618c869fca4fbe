import { createListeners } from '../runtime/listeners'
import type { Logger, StorageEvent, StorageEventBus, StorageEventListener } from '../types'

export interface StorageEventHub extends StorageEventBus {
  emit(events: readonly StorageEvent[]): void
}

/** `onCommit` listeners hear each commit's events at once; `on(table)` and `onAny` hear them one by one. */
export function createEventBus(logger: Logger): StorageEventHub {
  const commits = createListeners<readonly StorageEvent[]>(logger, () => '[storage] a commit listener')
  const each = (listener: StorageEventListener, table?: string) =>
    commits.subscribe((events) => {
      for (const event of events) {
        if (table !== undefined && event.table !== table) continue
        // One throwing call must not cost the listener the rest of the commit.
        try {
          listener(event)
        } catch (error) {
          logger.error('[autosync] [storage] listener threw:', error)
        }
      }
    })
  return {
    on: (table, listener) => each(listener, table),
    onAny: (listener) => each(listener),
    onCommit: commits.subscribe,
    emit: commits.emit,
  }
}
