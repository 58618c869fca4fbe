import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { QuotaExceededError, StorageError } from '../../src/errors'
import { outboxStore } from '../../src/storage/constants'
import type { StorageEvent } from '../../src/types'
import { openTestStorage } from './test-helpers'

async function collectEvents(storage: Awaited<ReturnType<typeof openTestStorage>>) {
  const events: StorageEvent[] = []
  storage.events.onAny((event) => events.push(event))
  return events
}

describe('atomicity', () => {
  it('a throwing transaction leaves neither record nor outbox entry nor event', async () => {
    const storage = await openTestStorage()
    const events = await collectEvents(storage)
    const failure = new Error('app failure')
    const error = await storage
      .transaction(['notes'], async (tx) => {
        await tx.put('notes', { id: 'a', userId: 'u1' })
        await tx.put('notes', { id: 'b', userId: 'u1' })
        throw failure
      })
      .catch((caught) => caught)
    expect(error).toBe(failure)
    expect(await storage.count('notes')).toBe(0)
    expect(await storage.outbox.count()).toBe(0)
    expect(events).toEqual([])
    storage.close()
  })

  it('a failing request (add of an existing key) aborts the writes before it', async () => {
    const storage = await openTestStorage()
    await storage.put('notes', { id: 'taken', userId: 'u1' })
    await storage.outbox.acknowledge(await storage.outbox.read({ userId: 'u1' }))
    const events = await collectEvents(storage)
    await expect(
      storage.transaction(['notes'], async (tx) => {
        await tx.put('notes', { id: 'fresh', userId: 'u1' })
        await tx.add('notes', { id: 'taken', userId: 'u1' })
      }),
    ).rejects.toThrow(/key exists/)
    expect(await storage.get('notes', 'fresh')).toBeUndefined()
    expect(await storage.outbox.count()).toBe(0)
    expect(events).toEqual([])
    storage.close()
  })

  it('a QuotaExceededError inside the transaction becomes our typed error with nothing written', async () => {
    const factory = new IDBFactory()
    const storage = await openTestStorage({ indexedDB: factory })
    const events = await collectEvents(storage)
    // Make the outbox write fail the way a full disk does, inside the real transaction.
    const storePrototype = (globalThis as unknown as { IDBObjectStore: { prototype: IDBObjectStore } }).IDBObjectStore
      .prototype
    const originalAdd = storePrototype.add
    storePrototype.add = function (this: IDBObjectStore, ...parts: Parameters<IDBObjectStore['add']>) {
      if (this.name === outboxStore) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      return originalAdd.apply(this, parts)
    }
    let error: unknown
    try {
      error = await storage.put('notes', { id: 'a', userId: 'u1' }).catch((caught) => caught)
    } finally {
      storePrototype.add = originalAdd
    }
    expect(QuotaExceededError.isInstance(error)).toBe(true)
    expect(StorageError.isInstance(error)).toBe(true)
    expect(await storage.get('notes', 'a')).toBeUndefined()
    expect(await storage.outbox.count()).toBe(0)
    expect(events).toEqual([])
    storage.close()
  })

  it('a callback that awaits something else still gets its committed writes queued, and fails loudly', async () => {
    const storage = await openTestStorage()
    const events = await collectEvents(storage)
    const error = await storage
      .transaction(['notes'], async (tx) => {
        await tx.put('notes', { id: 'a', userId: 'u1' })
        // Awaiting another transaction (as an awaited fetch would) lets IndexedDB commit this one first.
        await storage.get('notes', 'a')
        await tx.put('notes', { id: 'b', userId: 'u1' })
      })
      .catch((caught) => caught)
    expect(StorageError.isInstance(error)).toBe(true)
    expect(error.message).toMatch(
      /^\[autosync\] \[storage\] transaction: the transaction committed before the callback finished, because it awaited something other than the transaction's own calls .*; the writes made until then are kept and queued for sync, the rest never ran\. Await only the transaction's methods inside storage\.transaction\(\)/,
    )
    expect(await storage.get('notes', 'a')).toBeDefined()
    expect(await storage.get('notes', 'b')).toBeUndefined()
    expect((await storage.outbox.read({ userId: 'u1' })).map((change) => change.key)).toEqual(['a'])
    expect(events.map((event) => event.key)).toEqual(['a'])
    storage.close()
  })
})
