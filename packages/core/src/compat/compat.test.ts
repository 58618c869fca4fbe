import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { expect, it } from 'vitest'
import { silentLogger } from '../runtime/defaults'
import { openStorage } from '../storage'
import { createFakeClock } from '../testing/fake-clock'
import { createMemoryAdapter } from '../testing/memory-adapter'
import { twoWay } from '../two-way'
import type { StorageEvent } from '../types'
import {
  configureAutoSync,
  getAutoSync,
  getAutoSyncStatus,
  initAutoSync,
  setAutoSyncEnabled,
  storageEventManager,
  triggerBackup,
  triggerRestore,
} from './index'

it('runs one default instance in the seed’s style', async () => {
  expect(getAutoSyncStatus()).toBeNull()
  await expect(initAutoSync('u1')).rejects.toThrow(/configureAutoSync/)
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
  off()
  await clock.advance(2_000)
  expect(adapter.records('u1').get('notes')?.get('a')).toEqual({ id: 'a' })
  setAutoSyncEnabled(false)
  expect(getAutoSyncStatus()).toMatchObject({ isEnabled: false, phase: 'disabled' })
  await initAutoSync('u2')
  expect(getAutoSyncStatus()?.userId).toBe('u2')
  await getAutoSync()?.stop()
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
