import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../src/errors'
import type { StorageLifecycleEvent } from '../../src/types'
import { openTestStorage } from './test-helpers'

describe('dead letters and metadata', () => {
  it('add acknowledges the change and keeps it visible; retry re-queues the current record; discard removes', async () => {
    const storage = await openTestStorage()
    await storage.put('notes', { id: 'a', userId: 'u1', text: 'refused' })
    await storage.put('notes', { id: 'b', userId: 'u2' })
    const [change] = await storage.outbox.read({ userId: 'u1' })
    const [letter] = await storage.deadLetters.add([
      { change: change!, reason: 'schema mismatch', kind: 'rejected', status: 422, failedAt: 5, userId: 'u1' },
    ])
    expect(await storage.outbox.count({ userId: 'u1' })).toBe(0)
    expect(await storage.outbox.count({ userId: 'u2' })).toBe(1)
    expect(await storage.deadLetters.count({ userId: 'u1' })).toBe(1)
    expect(await storage.deadLetters.list()).toMatchObject([{ id: letter!.id, reason: 'schema mismatch', status: 422 }])

    await storage.update('notes', 'a', { text: 'fixed' })
    await storage.outbox.acknowledge(await storage.outbox.read({ userId: 'u1' }))
    const lifecycle: StorageLifecycleEvent[] = []
    storage.onLifecycle((event) => lifecycle.push(event))
    await storage.deadLetters.retry(letter!.id)
    expect(await storage.deadLetters.count()).toBe(0)
    const requeued = await storage.outbox.read({ userId: 'u1' })
    expect(requeued).toMatchObject([{ key: 'a', op: 'put', created: false, value: { text: 'fixed' } }])
    expect(lifecycle).toEqual([{ type: 'captured', seq: requeued[0]!.seq, userIds: ['u1'], origin: 'local' }])
    expect(requeued[0]).not.toHaveProperty('changedFields')

    const [again] = await storage.deadLetters.add([
      { change: requeued[0]!, reason: 'still refused', kind: 'rejected', failedAt: 6, userId: 'u1' },
    ])
    await storage.delete('notes', 'a')
    await storage.outbox.acknowledge(await storage.outbox.read({ userId: 'u1' }))
    await storage.deadLetters.retry(again!.id)
    expect(await storage.outbox.read({ userId: 'u1' })).toMatchObject([{ key: 'a', op: 'delete' }])

    const [third] = await storage.deadLetters.add([
      { change: requeued[0]!, reason: 'x', kind: 'rejected', failedAt: 7, userId: 'u1' },
    ])
    await storage.deadLetters.discard(third!.id)
    expect(await storage.deadLetters.count()).toBe(0)
    const missing = await storage.deadLetters.retry('nope').catch((caught) => caught)
    expect(ValidationError.isInstance(missing)).toBe(true)
    storage.close()
  })

  it('metadata keeps values across reopen', async () => {
    const storage = await openTestStorage()
    expect(await storage.metadata.get('lastSyncTime')).toBeUndefined()
    await storage.metadata.set('lastSyncTime', 42)
    expect(await storage.metadata.get('lastSyncTime')).toBe(42)
    expect(await storage.metadata.get('clientId')).toBe(storage.clientId)
    storage.close()
  })

  it('markSent keeps the delete of a create that may have reached the backend', async () => {
    const storage = await openTestStorage()
    await storage.put('notes', { id: 'a', userId: 'u1' })
    await storage.put('notes', { id: 'b', userId: 'u1' })
    const pushed = await storage.outbox.read({ userId: 'u1' })
    await storage.outbox.markSent!([pushed[0]!])
    await storage.delete('notes', 'a')
    await storage.delete('notes', 'b')
    // a was handed to the adapter: its delete must be pushed; b never left: nothing to send.
    expect(await storage.outbox.read({ userId: 'u1' })).toMatchObject([{ key: 'a', op: 'delete', created: true }])
    storage.close()
  })

  it('events carry the version the outbox reports', async () => {
    const storage = await openTestStorage()
    const seqs: (number | undefined)[] = []
    storage.events.onAny((event) => seqs.push(event.seq))
    await storage.bulkPut('notes', [
      { id: 'a', userId: 'u1' },
      { id: 'b', userId: 'u1' },
    ])
    const pending = await storage.outbox.read({ userId: 'u1' })
    expect(seqs).toEqual(pending.map((change) => change.seq))
    storage.close()
  })
})
