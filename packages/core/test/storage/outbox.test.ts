import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { openTestStorage } from './test-helpers'

type TestStorage = Awaited<ReturnType<typeof openTestStorage>>

/** Acknowledges everything pending for u1, so the next writes start from a pushed state. */
async function pushAll(storage: TestStorage) {
  await storage.outbox.acknowledge(await storage.outbox.read({ userId: 'u1' }))
}

describe('outbox coalescing', () => {
  const rows: {
    name: string
    existed: boolean
    writes: (storage: TestStorage) => Promise<void>
    expected: object[]
    /** Fields a coalesced change must not carry. */
    absent?: string[]
  }[] = [
    {
      name: 'create + update = create with the latest value',
      existed: false,
      writes: async (storage) => {
        await storage.put('notes', { id: 'a', userId: 'u1', text: 'one' })
        await storage.update('notes', 'a', { text: 'two' })
      },
      expected: [{ op: 'put', created: true, value: { id: 'a', userId: 'u1', text: 'two' } }],
      absent: ['changedFields'],
    },
    {
      name: 'update + update = update with the union of changed fields',
      existed: true,
      writes: async (storage) => {
        await storage.update('notes', 'a', { text: 'two' })
        await storage.update('notes', 'a', { title: 'T' })
      },
      expected: [{ op: 'put', created: false, changedFields: ['text', 'title'], value: { text: 'two', title: 'T' } }],
    },
    {
      name: 'update + full put = a full put',
      existed: true,
      writes: async (storage) => {
        await storage.update('notes', 'a', { text: 'two' })
        await storage.put('notes', { id: 'a', userId: 'u1', text: 'three' })
      },
      expected: [{ op: 'put', created: false, value: { text: 'three' } }],
      absent: ['changedFields'],
    },
    {
      name: 'update + delete = delete',
      existed: true,
      writes: async (storage) => {
        await storage.update('notes', 'a', { text: 'two' })
        await storage.delete('notes', 'a')
      },
      expected: [{ op: 'delete', created: false }],
      absent: ['value', 'changedFields'],
    },
    {
      name: 'create + delete before any push = nothing',
      existed: false,
      writes: async (storage) => {
        await storage.put('notes', { id: 'a', userId: 'u1' })
        await storage.delete('notes', 'a')
      },
      expected: [],
    },
    {
      name: 'create + delete + create = create',
      existed: false,
      writes: async (storage) => {
        await storage.put('notes', { id: 'a', userId: 'u1', text: 'one' })
        await storage.delete('notes', 'a')
        await storage.put('notes', { id: 'a', userId: 'u1', text: 'again' })
      },
      expected: [{ op: 'put', created: true, value: { text: 'again' } }],
    },
    {
      name: 'delete + put = a full put of an existing record',
      existed: true,
      writes: async (storage) => {
        await storage.delete('notes', 'a')
        await storage.put('notes', { id: 'a', userId: 'u1', text: 'back' })
      },
      expected: [{ op: 'put', created: false, value: { text: 'back' } }],
      absent: ['changedFields'],
    },
  ]

  for (const row of rows) {
    it(row.name, async () => {
      const storage = await openTestStorage()
      if (row.existed) {
        await storage.put('notes', { id: 'a', userId: 'u1', text: 'one' })
        await pushAll(storage)
      }
      await row.writes(storage)
      const pending = await storage.outbox.read({ userId: 'u1' })
      expect(pending).toMatchObject(row.expected)
      expect(await storage.outbox.count()).toBe(row.expected.length)
      for (const field of row.absent ?? []) expect(pending[0]).not.toHaveProperty(field)
      if (pending[0]) expect(pending[0].firstSeq).toBeLessThan(pending[0].seq)
      storage.close()
    })
  }

  it('a cancelled create leaves no outbox entry behind', async () => {
    const storage = await openTestStorage()
    await storage.put('notes', { id: 'a', userId: 'u1' })
    await storage.delete('notes', 'a')
    expect(await storage.outbox.read({ userId: 'u1' })).toEqual([])
    await storage.put('notes', { id: 'a', userId: 'u1' })
    expect(await storage.outbox.read({ userId: 'u1' })).toMatchObject([{ op: 'put', created: true }])
    storage.close()
  })
})

describe('outbox acknowledgement', () => {
  it('acknowledging keeps an edit made after the read', async () => {
    const storage = await openTestStorage()
    await storage.put('notes', { id: 'a', userId: 'u1', text: 'one' })
    await storage.put('notes', { id: 'b', userId: 'u1', text: 'one' })
    const pushed = await storage.outbox.read({ userId: 'u1' })
    await storage.update('notes', 'a', { text: 'during upload' })
    await storage.outbox.acknowledge(pushed)
    const left = await storage.outbox.read({ userId: 'u1' })
    expect(left).toMatchObject([
      { key: 'a', op: 'put', created: false, changedFields: ['text'], value: { text: 'during upload' } },
    ])
    expect(left[0]!.firstSeq).toBeGreaterThan(pushed[0]!.seq)
    storage.close()
  })

  it('acknowledging part of one transaction keeps the rest of it', async () => {
    const storage = await openTestStorage()
    await storage.bulkPut('notes', [
      { id: 'a', userId: 'u1' },
      { id: 'b', userId: 'u1' },
      { id: 'c', userId: 'u1' },
    ])
    const pending = await storage.outbox.read({ userId: 'u1' })
    await storage.outbox.acknowledge([pending[1]!])
    expect((await storage.outbox.read({ userId: 'u1' })).map((change) => [change.key, change.seq])).toEqual([
      ['a', pending[0]!.seq],
      ['c', pending[2]!.seq],
    ])
    storage.close()
  })

  it('an acknowledgement naming another user leaves this user’s change pending', async () => {
    const storage = await openTestStorage()
    await storage.put('notes', { id: 'a', userId: 'u1' })
    const [change] = await storage.outbox.read({ userId: 'u1' })
    await storage.outbox.acknowledge([{ ...change!, userId: 'u2' }])
    expect(await storage.outbox.count({ userId: 'u1' })).toBe(1)
    storage.close()
  })

  it('reads page with limit and afterSeq without skipping or repeating', async () => {
    const storage = await openTestStorage()
    await storage.bulkPut(
      'notes',
      Array.from({ length: 10 }, (_, index) => ({ id: `k${index}`, userId: 'u1' })),
    )
    await storage.update('notes', 'k0', { text: 'later' })
    const first = await storage.outbox.read({ userId: 'u1', limit: 4 })
    expect(first.map((change) => change.key)).toEqual(['k0', 'k1', 'k2', 'k3'])
    const second = await storage.outbox.read({ userId: 'u1', limit: 4, afterSeq: first.at(-1)!.firstSeq })
    expect(second.map((change) => change.key)).toEqual(['k4', 'k5', 'k6', 'k7'])
    storage.close()
  })

  it('summary and purgeUser work per user', async () => {
    const storage = await openTestStorage()
    await storage.put('notes', { id: 'a', userId: 'u1' })
    await storage.put('notes', { id: 'b', userId: 'u2' })
    await storage.put('notes', { id: 'c', userId: 'u2' })
    const summary = await storage.outbox.summary()
    expect(summary).toMatchObject({ total: 3, tables: { notes: { pending: 3 } } })
    expect(summary.oldestTimestamp).toBe(1_000)
    expect(await storage.outbox.summary({ userId: 'u2' })).toMatchObject({ total: 2 })
    expect(await storage.outbox.purgeUser('u2')).toBe(2)
    expect(await storage.outbox.count()).toBe(1)
    expect(await storage.outbox.count({ userId: 'u1' })).toBe(1)
    storage.close()
  })
})

describe('reload survival', () => {
  it('pending changes, clientId and seq survive close and reopen', async () => {
    const factory = new IDBFactory()
    const first = await openTestStorage({ name: 'survive', indexedDB: factory })
    await first.put('notes', { id: 'a', userId: 'u1' })
    const [before] = await first.outbox.read({ userId: 'u1' })
    await first.outbox.acknowledge([before!])
    await first.put('notes', { id: 'b', userId: 'u1' })
    first.close()

    const second = await openTestStorage({ name: 'survive', indexedDB: factory })
    expect(second.clientId).toBe(first.clientId)
    const pending = await second.outbox.read({ userId: 'u1' })
    expect(pending.map((change) => change.key)).toEqual(['b'])
    await second.outbox.acknowledge(pending)
    expect(await second.outbox.count()).toBe(0)
    await second.put('notes', { id: 'c', userId: 'u1' })
    const [after] = await second.outbox.read({ userId: 'u1' })
    // The outbox was empty, yet versions never repeat.
    expect(after!.seq).toBeGreaterThan(pending[0]!.seq)
    second.close()
  })

  it('a new database gets a different clientId', async () => {
    const one = await openTestStorage()
    const two = await openTestStorage()
    expect(one.clientId).not.toBe(two.clientId)
    expect(one.clientId).toMatch(/^[0-9a-f-]{36}$/)
    one.close()
    two.close()
  })
})
