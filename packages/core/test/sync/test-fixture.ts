// Shared setup of the engine's own tests (not exported): real storage on fake-indexeddb, fake clock, memory adapter.
import { IDBFactory } from 'fake-indexeddb'
import { AdapterError } from '../../src/errors'
import { openStorage } from '../../src/storage'
import { createAutoSync } from '../../src/sync/auto-sync'
import { exponentialBackoff } from '../../src/sync/backoff'
import { createFakeClock } from '../../src/testing/fake-clock'
import { createMemoryAdapter, type MemoryAdapterOptions } from '../../src/testing/memory-adapter'
import type { AutoSyncOptions, Logger, Network, PushBatch, SyncLifecycleEvent, SyncStatus } from '../../src/types'

export type PushStep = (batch: PushBatch) => void | Promise<void>

export const serverError = () => new AdapterError('HTTP 500', { kind: 'server', retryable: true, status: 500 })
export const fail =
  (error: unknown = serverError()): PushStep =>
  () => {
    throw error
  }

export function createTestNetwork(online = true) {
  const listeners = new Set<(online: boolean) => void>()
  const network: Network & { set(online: boolean): void } = {
    isOnline: () => online,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    set(next) {
      online = next
      for (const listener of listeners) listener(next)
    },
  }
  return network
}

export interface FixtureOptions extends Partial<Omit<AutoSyncOptions, 'storage' | 'adapter'>> {
  adapter?: MemoryAdapterOptions
  /** Jitter of the default test backoff. Default 0 (exact delays). */
  jitter?: number
  start?: boolean
  tables?: Record<string, { keyPath: string }>
}

export async function createFixture(options: FixtureOptions = {}) {
  const { adapter: adapterOptions, jitter = 0, start = true, tables, ...engineOptions } = options
  const clock = createFakeClock({ start: 1_000_000 })
  const indexedDB = new IDBFactory()
  const storageOptions = {
    name: 'app',
    version: 1,
    tables: tables ?? { notes: { keyPath: 'id' }, drafts: { keyPath: 'id' } },
    userIdField: 'userId',
    indexedDB,
    clock,
    broadcast: false,
    activeUserId: options.userId ?? 'u1',
  }
  const storage = await openStorage(storageOptions)
  const steps: PushStep[] = []
  const adapter = createMemoryAdapter({
    ...adapterOptions,
    onPush: async (batch) => {
      await adapterOptions?.onPush?.(batch)
      await steps.shift()?.(batch)
    },
  })
  const messages: { level: string; text: string }[] = []
  const record =
    (level: string) =>
    (...parts: unknown[]) =>
      messages.push({ level, text: parts.map(String).join(' ') })
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
  const network = createTestNetwork()
  const autoSync = createAutoSync({
    storage,
    adapter,
    userId: 'u1',
    clock,
    logger,
    network,
    random: () => 0.5,
    backoff: exponentialBackoff({ jitter }),
    ...engineOptions,
  })
  const events: SyncLifecycleEvent[] = []
  const types = [
    'sync-started',
    'sync-succeeded',
    'sync-failed',
    'sync-disabled',
    'sync-enabled',
    'change-skipped',
    'change-dead-lettered',
    'auth-required',
    'leader-changed',
    'user-switched',
    'backup-succeeded',
    'change-captured',
  ] as const
  for (const type of types) autoSync.on(type, (event) => events.push(event))
  const statuses: SyncStatus[] = []
  autoSync.subscribe((status) => statuses.push(status))
  if (start) await autoSync.start()
  const t0 = clock.now()
  return {
    clock,
    storage,
    adapter,
    autoSync,
    events,
    statuses,
    messages,
    network,
    steps,
    t0,
    /** Time since the fixture started. */
    elapsed: () => clock.now() - t0,
    status: () => autoSync.getStatus(),
    pushes: () => adapter.requests.length,
    eventTypes: () => events.map((event) => event.type),
    /** Writes a note and lets the engine's recount settle. */
    write: async (id: string, extra: Record<string, unknown> = {}) => {
      await storage.put('notes', { id, userId: 'u1', text: id, ...extra })
      await clock.flush()
    },
    /** Advances to exactly `ms` after the fixture started. */
    advanceTo: (ms: number) => clock.advance(t0 + ms - clock.now()),
  }
}
