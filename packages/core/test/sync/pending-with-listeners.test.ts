import 'fake-indexeddb/auto'
import { expect, it } from 'vitest'
import type { StorageEvent } from '../../src/types'
import { createFixture } from './test-fixture'

const notes = (count: number) => Array.from({ length: count }, (_, index) => ({ id: `n${index}`, userId: 'u1' }))

it('pendingChanges is right when a bulkPut resolves, even behind a listener that reads the table on every event', async () => {
  const fixture = await createFixture()
  let readsDone = 0
  // The obvious listener: refresh the whole list on every event (what the demo did).
  fixture.storage.events.on('notes', () => {
    void fixture.storage.getAll('notes').then(() => readsDone++)
  })
  let readsWhenCounted: number | undefined
  fixture.autoSync.subscribe((status) => {
    if (status.pendingChanges === 200 && readsWhenCounted === undefined) readsWhenCounted = readsDone
  })
  await fixture.storage.bulkPut('notes', notes(200))
  // Right when the write resolves, before any read of the outbox or of the listeners finished.
  expect(fixture.status()).toMatchObject({ pendingChanges: 200, hasPendingSync: true })
  // Settles the count and every listener read (only macrotasks pass: the fake clock holds every timer).
  while (readsDone < 200 || readsWhenCounted === undefined) await new Promise((resolve) => setImmediate(resolve))
  expect(fixture.status().pendingChanges).toBe(200)
  expect(readsWhenCounted).toBe(0)
  await fixture.autoSync.stop()
  fixture.storage.close()
})

it('onCommit hears each transaction once with all of its events, and never for nothing written', async () => {
  const fixture = await createFixture({ start: false })
  const commits: (readonly StorageEvent[])[] = []
  const off = fixture.storage.events.onCommit((events) => commits.push(events))
  await fixture.storage.bulkPut('notes', notes(3))
  await fixture.storage.transaction(['notes', 'drafts'], async (transaction) => {
    await transaction.put('drafts', { id: 'd1', userId: 'u1' })
    await transaction.delete('notes', 'n0')
  })
  await fixture.storage.put('notes', { id: 'n9', userId: 'u1' })
  off()
  await fixture.storage.put('notes', { id: 'n10', userId: 'u1' })
  expect(commits.map((events) => events.map((event) => `${event.type} ${event.table}/${event.key}`))).toEqual([
    ['create notes/n0', 'create notes/n1', 'create notes/n2'],
    ['create drafts/d1', 'delete notes/n0'],
    ['create notes/n9'],
  ])
  fixture.storage.close()
})

it('pendingChanges counts a record written twice in one commit once, and settles to the exact outbox count', async () => {
  const fixture = await createFixture()
  await fixture.storage.bulkPut('notes', notes(3))
  await fixture.clock.advance(300)
  await fixture.storage.transaction(['notes'], async (transaction) => {
    await transaction.put('notes', { id: 'n0', userId: 'u1', text: 'again' })
    await transaction.put('notes', { id: 'n0', userId: 'u1', text: 'and again' })
    await transaction.put('notes', { id: 'n5', userId: 'u1' })
  })
  // Lower bound: 2 records in this commit; the earlier 3 are still counted.
  expect(fixture.status().pendingChanges).toBe(3)
  await fixture.clock.advance(300)
  await fixture.clock.flush()
  expect(fixture.status().pendingChanges).toBe(4)
  fixture.storage.close()
})
