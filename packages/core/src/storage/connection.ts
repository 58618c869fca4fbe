import { StorageError } from '../errors'
import type { Clock, StorageLifecycleEvent, StorageOptions } from '../types'
import { mapStorageError } from './map-error'
import { upgradeSchema } from './schema'

export interface Connection {
  /** The open database; reopens lazily after an unexpected close. */
  database(): Promise<IDBDatabase>
  close(): void
}

/**
 * One IndexedDB connection with the resilience rules: a `versionchange` from a newer tab closes it
 * (later calls fail: this code does not know the newer schema), an unexpected `close` reopens on the
 * next call, and an upgrade blocked by another tab fails after `blockedTimeoutMs` instead of hanging.
 */
export function createConnection(
  options: StorageOptions,
  factory: IDBFactory,
  clock: Clock,
  emit: (event: StorageLifecycleEvent) => void,
): Connection {
  const { name, version, blockedTimeoutMs = 10_000 } = options
  let current: Promise<IDBDatabase> | undefined
  // Why `database()` refuses, once the connection is closed or the schema moved on; `undefined` while usable.
  let refusal: string | undefined
  let reopening = false

  function attach(raw: IDBDatabase): void {
    raw.onversionchange = (event) => {
      raw.close()
      if (refusal) return
      refusal = `"${name}" has a newer version from another tab; reload`
      current = undefined
      emit({ type: 'version-changed', newVersion: event.newVersion })
      emit({ type: 'closed', reason: 'version-change' })
    }
    raw.onclose = () => {
      if (refusal) return
      current = undefined
      reopening = true
      emit({ type: 'closed', reason: 'unexpected' })
    }
  }

  function open(): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
      let settled = false
      let timer: unknown
      /** Settles once: later outcomes (a success after giving up) are ignored. */
      const settle = (error?: unknown): boolean => {
        if (timer !== undefined) clock.clearTimeout(timer)
        if (settled) return false
        settled = true
        if (error) reject(error)
        return true
      }
      const request = factory.open(name, version)
      request.onupgradeneeded = () => {
        try {
          upgradeSchema(request.result, request.transaction!, options.tables)
        } catch (error) {
          request.transaction?.abort()
          settle(mapStorageError(error, 'upgrade'))
        }
      }
      request.onblocked = () => {
        timer ??= clock.setTimeout(
          () =>
            settle(
              new StorageError(`[storage] "${name}" v${version} blocked by another tab for ${blockedTimeoutMs} ms`),
            ),
          blockedTimeoutMs,
        )
      }
      request.onsuccess = () => {
        const raw = request.result
        // We gave up waiting (or the upgrade failed): do not keep a connection nobody uses.
        if (!settle()) return raw.close()
        attach(raw)
        resolve(raw)
      }
      request.onerror = (event) => {
        event.preventDefault()
        settle(mapStorageError(request.error, `opening "${name}"`))
      }
    })
  }

  return {
    database() {
      if (refusal) return Promise.reject(new StorageError(`[storage] ${refusal}`))
      if (!current) {
        const opening = open().then((database) => {
          if (reopening) {
            reopening = false
            emit({ type: 'reopened' })
          }
          return database
        })
        current = opening
        opening.catch(() => {
          if (current === opening) current = undefined
        })
      }
      return current
    },
    close() {
      const wasOpen = !refusal
      refusal = `"${name}" is closed`
      current?.then((database) => database.close()).catch(() => {})
      current = undefined
      if (wasOpen) emit({ type: 'closed', reason: 'close' })
    },
  }
}
