// Two devices (two IndexedDB factories) on one memory backend, with one fake clock, for the two-way tests.
import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { createAutoSync, openStorage } from '../../src/index'
import { createFakeClock, createMemoryAdapter, type MemoryAdapterOptions } from '../../src/testing'
import { type ConflictResolver, twoWay } from '../../src/two-way'
import type { AutoSyncOptions, Logger, StorageEvent, SyncLifecycleEvent, SyncPlugin } from '../../src/types'

export const quietLogger = (): Logger & { warnings: string[] } => {
  const warnings: string[] = []
  return { debug() {}, info() {}, warn: (...parts) => warnings.push(parts.map(String).join(' ')), error() {}, warnings }
}

/**
 * Makes the n-th IndexedDB `put` from now on abort its transaction and throw, as a tab crashing mid-page would.
 * One-shot; the returned function undoes it if it has not fired (call it in `afterEach`).
 */
export function crashAtPut(n: number): () => void {
  const prototype = IDBObjectStore.prototype
  const original = prototype.put
  let calls = 0
  prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
    if (++calls === n) {
      prototype.put = original
      this.transaction.abort()
      throw new DOMException('injected crash', 'AbortError')
    }
    return original.apply(this, args)
  }
  return () => {
    prototype.put = original
  }
}

export interface DevicesOptions {
  resolve?: ConflictResolver
  adapter?: MemoryAdapterOptions
  engine?: Partial<Omit<AutoSyncOptions, 'storage' | 'adapter'>>
  /** Without the two-way plugin (push-only). */
  pushOnly?: boolean
  pageSize?: number
}

export async function createBackend(options: DevicesOptions = {}) {
  const clock = createFakeClock({ start: 1_000_000 })
  const adapter = createMemoryAdapter({ maxBatchSize: 500, ...options.adapter })
  const devices: { close(): Promise<void> }[] = []

  async function openDevice(name: string, indexedDB = new IDBFactory(), userId = 'u1') {
    const logger = quietLogger()
    const storage = await openStorage({
      name: 'app',
      version: 1,
      tables: { notes: { keyPath: 'id' }, local: { keyPath: 'id', sync: false } },
      userIdField: 'userId',
      indexedDB,
      clock,
      broadcast: false,
      activeUserId: userId,
      logger,
    })
    const plugins: SyncPlugin[] = options.pushOnly
      ? []
      : [twoWay({ ...(options.resolve && { resolve: options.resolve }), pageSize: options.pageSize ?? 500 })]
    const autoSync = createAutoSync({
      storage,
      adapter,
      userId,
      clock,
      logger,
      random: () => 0.5,
      periodicSyncMs: 0,
      plugins,
      ...options.engine,
    })
    const events: StorageEvent[] = []
    const lifecycle: SyncLifecycleEvent[] = []
    storage.events.onAny((event) => events.push(event))
    for (const type of ['conflict-resolved', 'pull-started', 'pull-succeeded', 'pull-failed', 'sync-failed'] as const) {
      autoSync.on(type, (event) => lifecycle.push(event))
    }
    const device = {
      name,
      indexedDB,
      storage,
      autoSync,
      logger,
      events,
      lifecycle,
      notes: async () =>
        Object.fromEntries((await storage.getAll('notes')).map((note) => [note.id as string, note])) as Record<
          string,
          Record<string, unknown>
        >,
      pending: () => storage.outbox.count({ userId }),
      close: async () => {
        await autoSync.stop()
        storage.close()
      },
    }
    devices.push(device)
    return device
  }

  return {
    clock,
    adapter,
    openDevice,
    serverNotes: (userId = 'u1') =>
      Object.fromEntries([...(adapter.records(userId).get('notes') ?? new Map()).entries()]) as Record<
        string,
        Record<string, unknown>
      >,
    closeAll: () => Promise.all(devices.map((device) => device.close())),
  }
}

export type Device = Awaited<ReturnType<Awaited<ReturnType<typeof createBackend>>['openDevice']>>
