import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { expect, it, vi } from 'vitest'
import {
  configureAutoSync,
  getAutoSync,
  getAutoSyncStatus,
  initAutoSync,
  setAutoSyncEnabled,
  storageEventManager,
  triggerBackup,
  triggerRestore,
} from '../../src/compat/index'
import { AdapterError } from '../../src/errors'
import { silentLogger } from '../../src/runtime/defaults'
import { openStorage } from '../../src/storage'
import { createFakeClock } from '../../src/testing/fake-clock'
import { createMemoryAdapter } from '../../src/testing/memory-adapter'
import { twoWay } from '../../src/two-way'
import type { StorageEvent } from '../../src/types'

it('runs one default instance in the seed’s style', async () => {
  // Before anything is configured: a status object (never null), and listeners can already be added.
  expect(getAutoSyncStatus()).toMatchObject({ isInitialized: false, isEnabled: true, userId: null, phase: 'stopped' })
  // Nobody configures within the wait: a sentence that says what to call, with a code.
  const waitClock = createFakeClock()
  const unconfigured = initAutoSync('u1', { timeoutMs: 500, clock: waitClock }).catch((error: unknown) => error)
  await waitClock.advance(500)
  expect(await unconfigured).toMatchObject({
    code: 'not-configured',
    message:
      '[autosync] [compat] initAutoSync() waited 500 ms for configureAutoSync({ storage, adapter }), which never ran; call configureAutoSync once at start-up (it may finish after initAutoSync is called, within timeoutMs)',
  })
  const early: StorageEvent[] = []
  const offEarly = storageEventManager.onAny((event) => early.push(event))
  const clock = createFakeClock()
  const storage = await openStorage({
    name: 'compat',
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    indexedDB: new IDBFactory(),
    broadcast: false,
    clock,
  })
  const adapter = createMemoryAdapter()
  await configureAutoSync({ storage, adapter, clock, logger: silentLogger })
  const seen: StorageEvent[] = []
  const off = storageEventManager.on('notes', (event) => seen.push(event))
  storageEventManager.onAny((event) => seen.push(event))
  await initAutoSync('u1')
  expect(getAutoSyncStatus()).toMatchObject({ isInitialized: true, userId: 'u1', isEnabled: true })
  await storage.put('notes', { id: 'a' })
  expect(seen).toHaveLength(2)
  // The listener added before configureAutoSync hears events once storage is configured.
  expect(early.map((event) => event.key)).toEqual(['a'])
  offEarly()
  off()
  await clock.advance(2_000)
  expect(adapter.records('u1').get('notes')?.get('a')).toEqual({ id: 'a' })
  setAutoSyncEnabled(false)
  expect(getAutoSyncStatus()).toMatchObject({ isEnabled: false, phase: 'disabled' })
  await initAutoSync('u2')
  expect(getAutoSyncStatus()?.userId).toBe('u2')
  await getAutoSync()?.stop()
  setAutoSyncEnabled(true)
})

it('remembers setAutoSyncEnabled(false) called before initAutoSync', async () => {
  const clock = createFakeClock()
  const storage = await openStorage({
    name: 'compat-disabled',
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    indexedDB: new IDBFactory(),
    broadcast: false,
    clock,
  })
  const adapter = createMemoryAdapter()
  await configureAutoSync({ storage, adapter, clock, logger: silentLogger })
  setAutoSyncEnabled(false)
  expect(getAutoSyncStatus()).toMatchObject({ isInitialized: false, isEnabled: false })
  await initAutoSync('u1')
  expect(getAutoSyncStatus()).toMatchObject({ isInitialized: true, isEnabled: false, phase: 'disabled' })
  await storage.put('notes', { id: 'held' })
  await clock.advance(60_000)
  expect(adapter.records('u1').get('notes')?.get('held')).toBeUndefined()
  setAutoSyncEnabled(true)
  await clock.advance(10_000)
  expect(adapter.records('u1').get('notes')?.get('held')).toEqual({ id: 'held' })
  await getAutoSync()?.stop()
})

it('keeps the seed’s default skip rules and prints its console messages by default', async () => {
  const clock = createFakeClock()
  const storage = await openStorage({
    name: 'compat-seed-defaults',
    version: 1,
    tables: {
      conversations: { keyPath: 'id' },
      checkpoints: { keyPath: 'id' },
      conversationMemories: { keyPath: 'id' },
    },
    userIdField: 'userId',
    indexedDB: new IDBFactory(),
    broadcast: false,
    clock,
  })
  let down = false
  const adapter = createMemoryAdapter({
    onPush() {
      if (down) throw new AdapterError('[autosync] [memory] down', { kind: 'server', retryable: true })
    },
  })
  const printed: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((...parts) => void printed.push(parts.join(' ')))
  const warn = vi.spyOn(console, 'warn').mockImplementation((...parts) => void printed.push(parts.join(' ')))
  try {
    // No logger and no plugins given: the seed's behaviour.
    await configureAutoSync({ storage, adapter, clock })
    await initAutoSync('u1')
    await storage.put('conversations', { id: 'c1', userId: 'u1' })
    await storage.put('conversations', { id: 'c2', userId: 'someone-else' })
    await storage.put('checkpoints', { id: 'k1', userId: 'u1' })
    await storage.put('conversationMemories', { id: 'm1', userId: 'u1' })
    await clock.advance(2_000)
    const pushed = adapter.applied.map((entry) => `${entry.change.table}/${String(entry.change.key)}`)
    expect(pushed).toEqual(['conversations/c1'])
    down = true
    await storage.put('conversations', { id: 'c3', userId: 'u1' })
    await clock.advance(10_000)
    expect(printed).toEqual(
      expect.arrayContaining([
        'Auto-sync service: Event listeners set up',
        'Auto-sync service: Syncing 1 changes to cloud...',
        'Auto-sync service: Sync completed successfully',
        'Auto-sync service: Sync failed (1/5): [autosync] [memory] down',
      ]),
    )
  } finally {
    log.mockRestore()
    warn.mockRestore()
    await getAutoSync()?.stop()
  }
})

it('triggerBackup and its counterpart triggerRestore work on the default instance', async () => {
  const clock = createFakeClock()
  const storage = await openStorage({
    name: 'compat-restore',
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    indexedDB: new IDBFactory(),
    broadcast: false,
    clock,
  })
  const adapter = createMemoryAdapter()
  await configureAutoSync({ storage, adapter, clock, logger: silentLogger, plugins: [twoWay()] })
  await expect(triggerRestore()).rejects.toThrow(/initAutoSync/)
  await initAutoSync('u1')
  await storage.put('notes', { id: 'a', text: 'kept' })
  await getAutoSync()?.syncNow()
  expect(await triggerBackup()).toMatchObject({ records: 1 })
  await storage.put('notes', { id: 'a', text: 'lost on purpose' })
  await expect(triggerRestore()).rejects.toMatchObject({ code: 'restore-would-discard' })
  expect(await triggerRestore({ discardPending: true })).toMatchObject({ records: 1 })
  expect(await storage.get('notes', 'a')).toEqual({ id: 'a', text: 'kept' })
  await getAutoSync()?.stop()
})

it('initAutoSync called before configureAutoSync finished waits for it instead of crashing the page', async () => {
  await getAutoSync()?.stop()
  // A fresh copy of the service: nothing configured yet, as when the app's modules first load.
  vi.resetModules()
  const fresh = await import('../../src/compat/auto-sync-service')
  const clock = createFakeClock()
  // Module B calls initAutoSync while module A still awaits openStorage (the seed's layout invites it).
  const starting = fresh.initAutoSync('waiting-user', { clock })
  expect(fresh.isAutoSyncConfigured()).toBe(false)
  const storage = await openStorage({
    name: 'compat-late',
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    indexedDB: new IDBFactory(),
    broadcast: false,
    clock,
  })
  await fresh.configureAutoSync({ storage, adapter: createMemoryAdapter(), clock, logger: silentLogger })
  const engine = await starting
  expect(engine.getStatus()).toMatchObject({ isInitialized: true, userId: 'waiting-user' })
  // The wait's timer was cleared: nothing is left to fire.
  expect(clock.pending()).toBe(0)
  await engine.stop()
})
