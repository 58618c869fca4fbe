import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../src/errors'
import type { StorageEvent } from '../../src/types'
import { openTestStorage } from './test-helpers'

describe('writes', () => {
  it('put reports create then update, with the previous value', async () => {
    const storage = await openTestStorage()
    const events: StorageEvent[] = []
    storage.events.onAny((event) => events.push(event))
    await storage.put('notes', { id: 'a', userId: 'u1', text: 'one' })
    await storage.put('notes', { id: 'a', userId: 'u1', text: 'two' })
    expect(events.map((event) => [event.type, event.key, event.origin])).toEqual([
      ['create', 'a', 'local'],
      ['update', 'a', 'local'],
    ])
    expect(events[1]?.previous).toEqual({ id: 'a', userId: 'u1', text: 'one' })
    expect(events[1]?.seq).toBeGreaterThan(events[0]?.seq ?? Number.POSITIVE_INFINITY)
    expect(await storage.get('notes', 'a')).toEqual({ id: 'a', userId: 'u1', text: 'two' })
    storage.close()
  })

  it('add refuses an existing key and writes nothing', async () => {
    const storage = await openTestStorage()
    await storage.add('notes', { id: 'a', userId: 'u1', text: 'one' })
    const events: StorageEvent[] = []
    storage.events.onAny((event) => events.push(event))
    const error = await storage.add('notes', { id: 'a', userId: 'u1', text: 'two' }).catch((caught) => caught)
    expect(ValidationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ table: 'notes', key: 'a', field: 'id' })
    expect(await storage.get('notes', 'a')).toEqual({ id: 'a', userId: 'u1', text: 'one' })
    expect(events).toEqual([])
    expect(await storage.outbox.count()).toBe(1)
    storage.close()
  })

  it('update merges shallowly, returns the new value and records the changed fields', async () => {
    const storage = await openTestStorage()
    await storage.put('notes', { id: 'a', userId: 'u1', text: 'one', tags: ['x'] })
    const events: StorageEvent[] = []
    storage.events.on('notes', (event) => events.push(event))
    const next = await storage.update('notes', 'a', { text: 'two' })
    expect(next).toEqual({ id: 'a', userId: 'u1', text: 'two', tags: ['x'] })
    expect(events[0]).toMatchObject({ type: 'update', changedFields: ['text'], value: next })
    const missing = await storage.update('notes', 'zzz', { text: 'x' }).catch((caught) => caught)
    expect(ValidationError.isInstance(missing)).toBe(true)
    expect(missing).toMatchObject({ table: 'notes', key: 'zzz' })
    expect(await storage.get('notes', 'zzz')).toBeUndefined()
    const rekey = await storage.update('notes', 'a', { id: 'b' }).catch((caught) => caught)
    expect(ValidationError.isInstance(rekey)).toBe(true)
    storage.close()
  })

  it('delete of a missing record captures nothing; delete of a present one captures a delete', async () => {
    const storage = await openTestStorage()
    const events: StorageEvent[] = []
    storage.events.onAny((event) => events.push(event))
    await storage.delete('notes', 'nothing')
    expect(events).toEqual([])
    await storage.put('notes', { id: 'a', userId: 'u1' })
    await storage.outbox.acknowledge(await storage.outbox.read({ userId: 'u1' }))
    await storage.delete('notes', 'a')
    expect(events.at(-1)).toMatchObject({ type: 'delete', key: 'a', userId: 'u1', previous: { id: 'a' } })
    expect(await storage.outbox.read({ userId: 'u1' })).toMatchObject([{ op: 'delete', key: 'a', created: false }])
    storage.close()
  })

  it('clear captures a delete per record and emits one clear event', async () => {
    const storage = await openTestStorage()
    await storage.bulkPut('notes', [
      { id: 'a', userId: 'u1' },
      { id: 'b', userId: 'u2' },
    ])
    await storage.outbox.acknowledge(await storage.outbox.read({ userId: 'u1' }))
    await storage.outbox.acknowledge(await storage.outbox.read({ userId: 'u2' }))
    const events: StorageEvent[] = []
    storage.events.onAny((event) => events.push(event))
    await storage.clear('notes')
    expect(events.map((event) => event.type)).toEqual(['clear'])
    expect(await storage.count('notes')).toBe(0)
    expect(await storage.outbox.read({ userId: 'u1' })).toMatchObject([{ op: 'delete', key: 'a' }])
    expect(await storage.outbox.read({ userId: 'u2' })).toMatchObject([{ op: 'delete', key: 'b' }])
    storage.close()
  })

  it('bulkPut knows which records existed, for many and for few records', async () => {
    const storage = await openTestStorage()
    await storage.put('notes', { id: 'k05', userId: 'u1' })
    await storage.outbox.acknowledge(await storage.outbox.read({ userId: 'u1' }))
    for (const size of [3, 40]) {
      const events: StorageEvent[] = []
      const off = storage.events.onAny((event) => events.push(event))
      const records = Array.from({ length: size }, (_, index) => ({
        id: `k${String(index).padStart(2, '0')}`,
        userId: 'u1',
      }))
      await storage.bulkPut('notes', records)
      off()
      const updates = events.filter((event) => event.type === 'update').map((event) => event.key)
      expect(updates).toEqual(size === 3 ? [] : ['k00', 'k01', 'k02', 'k05'])
    }
    expect(await storage.getAll('notes')).toHaveLength(40)
    storage.close()
  })

  it('a transaction commits its writes together in one outbox entry', async () => {
    const storage = await openTestStorage()
    const events: StorageEvent[] = []
    storage.events.onAny((event) => events.push(event))
    const result = await storage.transaction(['notes'], async (tx) => {
      await tx.put('notes', { id: 'a', userId: 'u1' })
      await tx.put('notes', { id: 'b', userId: 'u1' })
      await tx.update('notes', 'a', { text: 'x' })
      return (await tx.get('notes', 'a'))?.text
    })
    expect(result).toBe('x')
    expect(events.map((event) => event.type)).toEqual(['create', 'create', 'update'])
    const seqs = events.map((event) => event.seq ?? 0)
    expect(new Set(seqs).size).toBe(3)
    expect(await storage.outbox.read({ userId: 'u1' })).toMatchObject([
      { key: 'a', created: true, value: { text: 'x' } },
      { key: 'b', created: true },
    ])
    storage.close()
  })

  it('tables with sync: false are written but never captured', async () => {
    const storage = await openTestStorage()
    const events: StorageEvent[] = []
    storage.events.onAny((event) => events.push(event))
    await storage.put('local', { id: ['compound', 1], fn: 'any' })
    expect(events[0]).toMatchObject({ type: 'create', table: 'local' })
    expect(events[0]?.seq).toBeUndefined()
    expect(await storage.outbox.count()).toBe(0)
    storage.close()
  })

  it('the owner is the record field when it is a string, else the active user', async () => {
    const storage = await openTestStorage()
    storage.setActiveUser('active')
    await storage.put('notes', { id: 'a', userId: 'owner' })
    await storage.put('notes', { id: 'b' })
    expect(await storage.outbox.read({ userId: 'owner' })).toMatchObject([{ key: 'a' }])
    expect(await storage.outbox.read({ userId: 'active' })).toMatchObject([{ key: 'b' }])
    expect(await storage.outbox.read({ userId: null })).toEqual([])
    storage.close()
  })

  it('capture filters keep a change out of the outbox and mark the event skipped', async () => {
    const storage = await openTestStorage()
    const events: StorageEvent[] = []
    storage.events.onAny((event) => events.push(event))
    const remove = storage.addCaptureFilter((event) => (event.key === 'secret' ? 'private note' : false))
    await storage.put('notes', { id: 'secret', userId: 'u1' })
    await storage.put('notes', { id: 'public', userId: 'u1' })
    remove()
    await storage.put('notes', { id: 'secret', userId: 'u1', text: 'now shared' })
    expect(events[0]).toMatchObject({ key: 'secret', skipped: 'private note' })
    expect(await storage.get('notes', 'secret')).toBeDefined()
    const pending = await storage.outbox.read({ userId: 'u1' })
    expect(pending.map((change) => change.key)).toEqual(['public', 'secret'])
    storage.close()
  })
})
