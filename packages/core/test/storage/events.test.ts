import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import type { StorageEvent, StorageLifecycleEvent } from '../../src/types'
import { openTestStorage, recordingLogger } from './test-helpers'

/** Resolves once `predicate` holds for what `collect` gathered; BroadcastChannel delivery is asynchronous. */
function waitFor<T>(items: T[], predicate: (items: T[]) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (predicate(items) ? resolve() : setImmediate(check))
    check()
  })
}

describe('StorageEventBus', () => {
  it('unsubscribe stops delivery for that listener only', async () => {
    const storage = await openTestStorage()
    const table: StorageEvent[] = []
    const any: StorageEvent[] = []
    const offTable = storage.events.on('notes', (event) => table.push(event))
    storage.events.onAny((event) => any.push(event))
    await storage.put('notes', { id: 'a', userId: 'u1' })
    offTable()
    offTable()
    await storage.put('notes', { id: 'b', userId: 'u1' })
    expect(table.map((event) => event.key)).toEqual(['a'])
    expect(any.map((event) => event.key)).toEqual(['a', 'b'])
    storage.close()
  })

  it('on(table) hears only that table', async () => {
    const storage = await openTestStorage()
    const heard: StorageEvent[] = []
    storage.events.on('local', (event) => heard.push(event))
    await storage.put('notes', { id: 'a', userId: 'u1' })
    expect(heard).toEqual([])
    storage.close()
  })

  it('a throwing listener is reported and never breaks the write or other listeners', async () => {
    const logger = recordingLogger()
    const storage = await openTestStorage({ logger })
    const heard: string[] = []
    storage.events.onAny(() => {
      throw new Error('listener bug')
    })
    storage.events.onAny((event) => heard.push(String(event.key)))
    await expect(storage.put('notes', { id: 'a', userId: 'u1' })).resolves.toBeUndefined()
    expect(heard).toEqual(['a'])
    expect(logger.errors).toHaveLength(1)
    expect(String(logger.errors[0]?.[0])).toContain('[autosync] [storage]')
    storage.close()
  })

  it('emits a captured lifecycle event with the latest seq and the owners', async () => {
    const storage = await openTestStorage()
    const lifecycle: StorageLifecycleEvent[] = []
    storage.onLifecycle((event) => lifecycle.push(event))
    await storage.bulkPut('notes', [
      { id: 'a', userId: 'u1' },
      { id: 'b', userId: 'u2' },
    ])
    await storage.put('local', { id: 'x' })
    const pending = [...(await storage.outbox.read({ userId: 'u1' })), ...(await storage.outbox.read({ userId: 'u2' }))]
    expect(lifecycle).toEqual([
      {
        type: 'captured',
        seq: Math.max(...pending.map((change) => change.seq)),
        userIds: ['u1', 'u2'],
        origin: 'local',
        keys: 2,
      },
    ])
    storage.close()
  })

  it('two storages of one database see each other’s events with origin "tab", one message per transaction', async () => {
    const factory = new IDBFactory()
    const first = await openTestStorage({ name: 'shared', indexedDB: factory })
    const second = await openTestStorage({ name: 'shared', indexedDB: factory })
    const heard: StorageEvent[] = []
    const lifecycle: StorageLifecycleEvent[] = []
    second.events.onAny((event) => heard.push(event))
    second.onLifecycle((event) => lifecycle.push(event))
    await first.transaction(['notes'], async (tx) => {
      await tx.put('notes', { id: 'a', userId: 'u1' })
      await tx.put('notes', { id: 'b', userId: 'u1' })
    })
    await waitFor(heard, (items) => items.length === 2)
    expect(heard.map((event) => [event.key, event.origin, event.type])).toEqual([
      ['a', 'tab', 'create'],
      ['b', 'tab', 'create'],
    ])
    expect(lifecycle).toEqual([{ type: 'captured', seq: heard[1]!.seq, userIds: ['u1'], origin: 'tab' }])
    // The same database: the second storage reads what the first captured.
    expect(await second.outbox.count({ userId: 'u1' })).toBe(2)
    first.close()
    second.close()
  })

  it('a closed storage no longer hears other tabs', async () => {
    const factory = new IDBFactory()
    const first = await openTestStorage({ name: 'closing', indexedDB: factory })
    const second = await openTestStorage({ name: 'closing', indexedDB: factory })
    const third = await openTestStorage({ name: 'closing', indexedDB: factory })
    const heardBySecond: StorageEvent[] = []
    const heardByThird: StorageEvent[] = []
    second.events.onAny((event) => heardBySecond.push(event))
    third.events.onAny((event) => heardByThird.push(event))
    second.close()
    await first.put('notes', { id: 'a', userId: 'u1' })
    await waitFor(heardByThird, (items) => items.length === 1)
    expect(heardBySecond).toEqual([])
    first.close()
    third.close()
  })
})
