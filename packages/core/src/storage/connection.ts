import { StorageError } from '../errors'
import type { Clock, StorageLifecycleEvent } from '../types'
import { mapStorageError } from './map-error'

export interface ConnectionOptions {
  name: string
  version: number
  factory: IDBFactory
  blockedTimeoutMs: number
  clock: Clock
  upgrade(database: IDBDatabase, transaction: IDBTransaction): void
  emit(event: StorageLifecycleEvent): void
}

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
export function createConnection(options: ConnectionOptions): Connection {
  let current: Promise<IDBDatabase> | undefined
  let state: 'open' | 'version-changed' | 'closed' = 'open'
  let reopening = false

  function attach(raw: IDBDatabase): void {
    raw.onversionchange = (event) => {
      raw.close()
      if (state !== 'open') return
      state = 'version-changed'
      current = undefined
      options.emit({ type: 'version-changed', newVersion: event.newVersion })
      options.emit({ type: 'closed', reason: 'version-change' })
    }
    raw.onclose = () => {
      if (state !== 'open') return
      current = undefined
      reopening = true
      options.emit({ type: 'closed', reason: 'unexpected' })
    }
  }

  function open(): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
      let settled = false
      let timer: unknown
      const request = options.factory.open(options.name, options.version)
      request.onupgradeneeded = () => {
        try {
          options.upgrade(request.result, request.transaction!)
        } catch (error) {
          request.transaction?.abort()
          settled = true
          reject(mapStorageError(error, 'upgrade'))
        }
      }
      request.onblocked = () => {
        timer ??= options.clock.setTimeout(() => {
          if (settled) return
          settled = true
          reject(
            new StorageError(
              `[storage] opening "${options.name}" version ${options.version} was blocked by another tab for ${options.blockedTimeoutMs} ms; close the other tabs or reload them`,
            ),
          )
        }, options.blockedTimeoutMs)
      }
      request.onsuccess = () => {
        if (timer !== undefined) options.clock.clearTimeout(timer)
        const raw = request.result
        // We gave up waiting (or the upgrade failed): do not keep a connection nobody uses.
        if (settled) return raw.close()
        settled = true
        attach(raw)
        resolve(raw)
      }
      request.onerror = (event) => {
        if (timer !== undefined) options.clock.clearTimeout(timer)
        event.preventDefault()
        if (settled) return
        settled = true
        reject(mapStorageError(request.error, `opening "${options.name}"`))
      }
    })
  }

  return {
    database() {
      if (state === 'closed') return Promise.reject(new StorageError(`[storage] "${options.name}" is closed`))
      if (state === 'version-changed') {
        return Promise.reject(
          new StorageError(
            `[storage] "${options.name}" was upgraded to a newer version by another tab; reload this page to use it`,
          ),
        )
      }
      if (!current) {
        const opening = open().then((database) => {
          if (reopening) {
            reopening = false
            options.emit({ type: 'reopened' })
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
      if (state === 'closed') return
      const wasOpen = state === 'open'
      state = 'closed'
      current?.then((database) => database.close()).catch(() => {})
      current = undefined
      if (wasOpen) options.emit({ type: 'closed', reason: 'close' })
    },
  }
}
