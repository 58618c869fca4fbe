import type { Logger } from '../types'

/** A set of listeners; a throwing listener is reported and never stops the others. */
export interface Subscribable<T> {
  subscribe(listener: (value: T) => void): () => void
  emit(value: T): void
}

export function createSubscribable<T>(logger: Logger, label: string): Subscribable<T> {
  const listeners = new Set<(value: T) => void>()
  return {
    subscribe(listener) {
      // A wrapper per subscription, so subscribing one function twice needs two unsubscribes.
      const entry = (value: T) => listener(value)
      listeners.add(entry)
      return () => {
        listeners.delete(entry)
      }
    },
    emit(value) {
      for (const listener of [...listeners]) {
        try {
          listener(value)
        } catch (error) {
          logger.error(`[autosync] [storage] a ${label} listener threw`, error)
        }
      }
    },
  }
}
