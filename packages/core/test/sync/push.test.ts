import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { AdapterError } from '../../src/errors'
import { batchIdOf } from '../../src/sync/batch-id'
import type { SyncProgress } from '../../src/types'
import { createFixture, fail } from './test-fixture'

describe('the push path', () => {
  it('drains the whole backlog in batches of min(batchSize, maxBatchSize), reporting progress', async () => {
    const fixture = await createFixture({ batchSize: 500, adapter: { maxBatchSize: 100 } })
    await fixture.storage.bulkPut(
      'notes',
      Array.from({ length: 1_200 }, (_, index) => ({ id: `n${index}`, userId: 'u1' })),
    )
    await fixture.clock.flush()
    const progress: (SyncProgress | null)[] = []
    fixture.autoSync.subscribe((status) => progress.push(status.progress))
    await fixture.autoSync.syncNow()
    expect(fixture.adapter.requests.map((batch) => batch.changes.length)).toEqual(Array(12).fill(100))
    expect(progress.filter(Boolean).at(-1)).toEqual({ total: 1_200, done: 1_200, batches: 12 })
    expect(fixture.status()).toMatchObject({ pendingChanges: 0, progress: null })
    expect(fixture.events.find((event) => event.type === 'sync-started')).toMatchObject({ changes: 1_200 })
    expect(fixture.messages.filter((message) => message.level === 'info').map((message) => message.text)).toEqual([
      'Auto-sync service: Event listeners set up',
      'Auto-sync service: Syncing 1200 changes to cloud...',
      'Auto-sync service: Sync completed successfully',
    ])
  })

  it('announces the exact number of changes whether the last count is current or a write came after it', async () => {
    const fixture = await createFixture()
    await fixture.storage.bulkPut('notes', [
      { id: 'a', userId: 'u1' },
      { id: 'b', userId: 'u1' },
    ])
    await fixture.clock.flush()
    // Written right before syncNow: the throttled recount has not run, so the sync must count afresh.
    await fixture.write('c')
    await fixture.autoSync.syncNow()
    await fixture.storage.bulkPut('notes', [{ id: 'd', userId: 'u1' }])
    await fixture.clock.advance(300)
    await fixture.autoSync.syncNow()
    const started = fixture.events.filter((event) => event.type === 'sync-started')
    expect(started.map((event) => (event as { changes: number }).changes)).toEqual([3, 1])
  })

  it('gives a retried batch the same batchId and each change a clientId:seq id', async () => {
    const fixture = await createFixture()
    fixture.steps.push(fail(new Error('socket hang up')))
    await fixture.write('a')
    await fixture.autoSync.syncNow()
    expect(fixture.status()).toMatchObject({ consecutiveFailures: 1, lastError: { kind: 'unknown', retryable: true } })
    await fixture.autoSync.syncNow()
    const [first, second] = fixture.adapter.requests
    expect(second?.batchId).toBe(first?.batchId)
    expect(first?.batchId).toBe(batchIdOf(first?.changes ?? []))
    expect(first?.changes[0]?.changeId).toBe(`${fixture.storage.clientId}:${first?.changes[0]?.seq}`)
    expect(first).toMatchObject({ clientId: fixture.storage.clientId, userId: 'u1' })
    expect(batchIdOf([{ ...first!.changes[0]!, changeId: 'other' }])).not.toBe(first?.batchId)
  })

  it('names the body: the same change ids with another base revision get another batchId; with transforms, any change', () => {
    const change = {
      changeId: 'c:1',
      table: 'notes',
      key: 'a',
      op: 'put' as const,
      value: { id: 'a' },
      seq: 1,
      timestamp: 5,
    }
    const id = batchIdOf([change])
    expect(batchIdOf([{ ...change }])).toBe(id)
    expect(batchIdOf([{ ...change, baseRevision: 'r7' }])).not.toBe(id)
    expect(batchIdOf([{ ...change, baseRevision: null }])).not.toBe(id)
    expect(batchIdOf([{ ...change, baseRevision: 'r7' }])).not.toBe(batchIdOf([{ ...change, baseRevision: 'r8' }]))
    // A plugin's transform may change what a change id carries: then the whole body names the batch.
    const whole = batchIdOf([change], true)
    expect(batchIdOf([{ ...change }], true)).toBe(whole)
    expect(batchIdOf([{ ...change, value: { id: 'a', text: 'changed' } }], true)).not.toBe(whole)
    expect(batchIdOf([{ ...change, timestamp: 6 }], true)).not.toBe(whole)
  })

  it('with a transform plugin, a replay whose transform output changed gets another batchId', async () => {
    let stamp = 0
    const fixture = await createFixture({
      plugins: [{ name: 'stamp', transform: (change) => ({ ...change, value: { ...change.value, stamp: ++stamp } }) }],
    })
    fixture.steps.push(fail(new Error('socket hang up')))
    await fixture.write('a')
    await fixture.autoSync.syncNow()
    await fixture.autoSync.syncNow()
    const [first, second] = fixture.adapter.requests
    expect(second?.changes[0]?.changeId).toBe(first?.changes[0]?.changeId)
    expect(second?.batchId).not.toBe(first?.batchId)
  })

  it('acknowledges by version: an edit made during the upload stays pending', async () => {
    const fixture = await createFixture()
    fixture.steps.push(() => fixture.storage.update('notes', 'a', { text: 'edited' }).then(() => undefined))
    await fixture.write('a')
    await fixture.autoSync.syncNow()
    await fixture.clock.flush()
    expect(fixture.status().pendingChanges).toBe(1)
    const [pending] = await fixture.storage.outbox.read({ userId: 'u1' })
    expect(pending?.value).toMatchObject({ text: 'edited' })
  })

  it('dead-letters rejected changes, ignores unknown ids and keeps omitted ones pending', async () => {
    const fixture = await createFixture()
    await fixture.write('a')
    await fixture.write('b')
    await fixture.write('c')
    const [a, b] = await fixture.storage.outbox.read({ userId: 'u1' })
    const id = (seq: number | undefined) => `${fixture.storage.clientId}:${seq}`
    fixture.adapter.push = async () => ({
      accepted: [id(a?.seq), 'stranger:1'],
      rejected: [{ changeId: id(b?.seq), reason: 'title too long' }],
    })
    await fixture.autoSync.syncNow()
    expect(fixture.status()).toMatchObject({ pendingChanges: 1, deadLetters: 1, consecutiveFailures: 0 })
    const deadLettered = fixture.events.find((event) => event.type === 'change-dead-lettered')
    expect(deadLettered).toMatchObject({
      deadLetter: { reason: 'title too long', kind: 'rejected', change: { key: 'b' } },
    })
    const [letter] = await fixture.autoSync.deadLetters.list()
    expect(letter?.change.key).toBe('b')
    await fixture.autoSync.deadLetters.discard(letter!.id)
    expect(fixture.status().deadLetters).toBe(0)
  })

  it('dead-letters a whole batch refused for good and goes on with the next batch', async () => {
    const fixture = await createFixture({ adapter: { maxBatchSize: 2 } })
    for (const id of ['a', 'b', 'c']) await fixture.write(id)
    fixture.steps.push(fail(new AdapterError('HTTP 413', { kind: 'protocol', retryable: false, status: 413 })))
    await fixture.autoSync.syncNow()
    expect(fixture.adapter.requests.map((batch) => batch.changes.map((change) => change.key))).toEqual([
      ['a', 'b'],
      ['c'],
    ])
    expect(fixture.status()).toMatchObject({
      pendingChanges: 0,
      deadLetters: 2,
      consecutiveFailures: 0,
      lastError: { kind: 'protocol', status: 413, retryable: false },
    })
    const letters = await fixture.autoSync.deadLetters.list()
    letters.sort((left, right) => String(left.change.key).localeCompare(String(right.change.key)))
    expect(letters.map((letter) => [letter.change.key, letter.kind, letter.status])).toEqual([
      ['a', 'protocol', 413],
      ['b', 'protocol', 413],
    ])
    await fixture.autoSync.deadLetters.retry(letters[0]!.id)
    await fixture.clock.flush()
    expect(fixture.status()).toMatchObject({ pendingChanges: 1, deadLetters: 1 })
  })

  it('sends changedFields only to adapters with partial updates', async () => {
    for (const partialUpdates of [true, false]) {
      const fixture = await createFixture({ adapter: { partialUpdates } })
      await fixture.write('a')
      await fixture.autoSync.syncNow()
      await fixture.storage.update('notes', 'a', { text: 'new' })
      await fixture.autoSync.syncNow()
      const change = fixture.adapter.requests[1]?.changes[0]
      expect(change?.changedFields).toEqual(partialUpdates ? ['text'] : undefined)
      expect(fixture.adapter.records('u1').get('notes')?.get('a')).toEqual({ id: 'a', userId: 'u1', text: 'new' })
    }
  })
})

describe('creates handed to the adapter', () => {
  it('keep their delete when the push failed: the backend may hold the create', async () => {
    const fixture = await createFixture()
    fixture.steps.push(fail())
    await fixture.write('new')
    await fixture.autoSync.syncNow()
    expect(fixture.status().lastError).not.toBeNull()
    await fixture.storage.delete('notes', 'new')
    await fixture.autoSync.syncNow()
    expect(fixture.adapter.requests.at(-1)?.changes).toEqual([expect.objectContaining({ key: 'new', op: 'delete' })])
  })

  it('cancel with their delete when they were never handed over', async () => {
    const fixture = await createFixture()
    await fixture.write('never-pushed')
    await fixture.storage.delete('notes', 'never-pushed')
    await fixture.autoSync.syncNow()
    expect(fixture.pushes()).toBe(0)
    expect(await fixture.storage.outbox.count({ userId: 'u1' })).toBe(0)
  })
})
