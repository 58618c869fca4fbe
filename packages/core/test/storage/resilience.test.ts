import { forceCloseDatabase, IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { StorageError } from '../../src/errors'
import { createFakeClock } from '../../src/testing/fake-clock'
import type { StorageLifecycleEvent } from '../../src/types'
import { notesTables, openTestStorage } from './test-helpers'

function openRaw(factory: IDBFactory, name: string, version: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version)
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

describe('storage resilience', () => {
  it('a versionchange from a newer tab closes the connection and later calls fail with a StorageError', async () => {
    const factory = new IDBFactory()
    const storage = await openTestStorage({ name: 'upgrade', indexedDB: factory })
    const lifecycle: StorageLifecycleEvent[] = []
    storage.onLifecycle((event) => lifecycle.push(event))
    const newer = await openTestStorage({ name: 'upgrade', version: 2, indexedDB: factory })
    expect(lifecycle).toEqual([
      { type: 'version-changed', newVersion: 2 },
      { type: 'closed', reason: 'version-change' },
    ])
    const error = await storage.put('notes', { id: 'a', userId: 'u1' }).catch((caught) => caught)
    expect(StorageError.isInstance(error)).toBe(true)
    expect(String(error.message)).toMatch(/newer version/)
    await newer.put('notes', { id: 'a', userId: 'u1' })
    expect(await newer.outbox.count()).toBe(1)
    newer.close()
  })

  it('an unexpected close reopens on the next call', async () => {
    const factory = new IDBFactory()
    // Remember the connections the storage opens, to close one the way a browser does.
    const opened: IDBDatabase[] = []
    const open = factory.open.bind(factory)
    factory.open = (name, version) => {
      const request = open(name, version)
      request.addEventListener('success', () => opened.push(request.result))
      return request
    }
    const storage = await openTestStorage({ name: 'forced', indexedDB: factory })
    await storage.put('notes', { id: 'a', userId: 'u1' })
    const lifecycle: StorageLifecycleEvent[] = []
    storage.onLifecycle((event) => lifecycle.push(event))
    forceCloseDatabase(opened[0]! as never)
    expect(lifecycle).toEqual([{ type: 'closed', reason: 'unexpected' }])
    await storage.put('notes', { id: 'b', userId: 'u1' })
    expect(lifecycle.slice(0, 2)).toEqual([{ type: 'closed', reason: 'unexpected' }, { type: 'reopened' }])
    expect(opened).toHaveLength(2)
    expect(await storage.outbox.count()).toBe(2)
    storage.close()
  })

  it('an upgrade blocked by another connection fails after blockedTimeoutMs instead of hanging', async () => {
    const factory = new IDBFactory()
    const old = await openRaw(factory, 'blocked', 1)
    // `old` ignores versionchange, as a tab running old code without autosync would.
    const clock = createFakeClock({ start: 1_000 })
    const opening = openTestStorage({ name: 'blocked', version: 2, indexedDB: factory, clock, blockedTimeoutMs: 5_000 })
    const outcome = opening.then(
      () => 'opened',
      (error) => error,
    )
    let settled = false
    void outcome.then(() => {
      settled = true
    })
    // The timer starts when IndexedDB reports the open as blocked.
    while (clock.pending() === 0) await new Promise((resolve) => setImmediate(resolve))
    await clock.advance(4_999)
    expect(settled).toBe(false)
    await clock.advance(1)
    const error = await outcome
    expect(StorageError.isInstance(error)).toBe(true)
    expect(String(error.message)).toMatch(/blocked by another tab/)
    old.close()
  })

  it('close() makes later calls fail and emits closed', async () => {
    const storage = await openTestStorage({ tables: notesTables })
    const lifecycle: StorageLifecycleEvent[] = []
    storage.onLifecycle((event) => lifecycle.push(event))
    storage.close()
    expect(lifecycle).toEqual([{ type: 'closed', reason: 'close' }])
    await expect(storage.get('notes', 'a')).rejects.toThrow(/closed/)
  })
})
