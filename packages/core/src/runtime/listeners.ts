import type { Logger } from '../types'

/** A set of listeners; a throwing listener is reported and never stops the others. */
export interface Listeners<T> {
  /** A wrapper per subscription, so subscribing one function twice needs two unsubscribes. */
  subscribe(listener: (value: T) => void): () => void
  emit(value: T): void
}

/** `describe` names the listener in the log line, e.g. `[storage] a storage event listener`. */
export function createListeners<T>(logger: Logger, describe: (value: T) => string): Listeners<T> {
  const listeners = new Set<(value: T) => void>()
  return {
    subscribe(listener) {
      const entry = (value: T) => listener(value)
      listeners.add(entry)
      return () => {
        listeners.delete(entry)
      }
    },
    emit(value) {
      // A snapshot, so one listener may unsubscribe another.
      for (const listener of [...listeners]) {
        try {
          listener(value)
        } catch (error) {
          logger.error(`[autosync] ${describe(value)} threw:`, error)
        }
      }
    },
  }
}
