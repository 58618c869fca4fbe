import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultLimits } from '../../src/limits'
import type { RecordWrite, StoredRecord, SyncStore } from '../../src/store/sync-store'
import { applyPush } from '../../src/sync/apply-push'
import { parsePushBody } from '../../src/validation/push-body'
import type { BackendLane } from './backends'
import { batch, change, deferred, uniqueUser } from './harness'

/** Applies one batch straight through the store (no HTTP); returns the parsed answer. */
async function pushTo(
  store: SyncStore,
  userId: string,
  changes: Record<string, unknown>[],
  options: { clientId?: string } = {},
) {
  const body = parsePushBody(batch(changes, options))
  const outcome = await applyPush(store, userId, body, randomUUID(), defaultLimits)
  if (outcome.kind !== 'answered') throw new Error(`push was refused: ${outcome.kind}`)
  return JSON.parse(outcome.responseText) as { accepted: string[]; rejected: { changeId: string }[] }
}

const byKey = (records: StoredRecord[]) => new Map(records.map((record) => [record.key, record]))
const revisionsOf = (records: StoredRecord[]) => records.map((record) => BigInt(record.revision))
const isIncreasing = (values: bigint[]) => values.every((value, index) => index === 0 || value > values[index - 1]!)

const write = (key: string, value: Record<string, unknown> | null, changeId: string): RecordWrite => ({
  table: 'notes',
  key: JSON.stringify(key),
  value,
  valueText: value === null ? null : JSON.stringify(value),
  changeId,
  timestamp: 1_700_000_000_000,
  clientSeqs: { 'client-a': 1 },
})

/** The store contract below the HTTP layer: the bulk write paths, idempotency and revision order. */
export function describeSyncStore(lane: BackendLane): void {
  // better-sqlite3 waits for another connection's lock synchronously, blocking the event loop the holder needs to
  // finish: two instances in one process cannot contend, so the contention tests run where locks wait asynchronously.
  const instancesContend = lane.lockWaiters !== undefined

  describe(`sync store on ${lane.name}`, () => {
    let store: SyncStore
    let second: SyncStore
    beforeAll(async () => {
      store = await lane.openStore()
      second = await lane.openStore()
    })
    afterAll(() => lane.dispose())

    it('skips a change id applied in an earlier batch and applies the rest of that batch', async () => {
      const userId = uniqueUser('skip')
      await pushTo(store, userId, [change({ seq: 1, key: 'a', value: { n: 1 } })])
      const [before] = await store.readChangesAfter(userId, null, 10)
      const answer = await pushTo(store, userId, [
        change({ seq: 1, key: 'a', value: { n: 'replayed' } }),
        change({ seq: 2, key: 'b', value: { n: 2 } }),
        change({ seq: 3, key: 'a', value: { n: 3 } }),
      ])
      expect(answer).toEqual({ accepted: ['client-a:1', 'client-a:2', 'client-a:3'], rejected: [] })
      const records = await store.readChangesAfter(userId, null, 10)
      expect(records.map((record) => [record.key, record.value])).toEqual([
        ['"b"', { n: 2 }],
        ['"a"', { n: 3 }],
      ])
      expect(BigInt(byKey(records).get('"a"')!.revision)).toBeGreaterThan(BigInt(before!.revision))
      // The third change is applied now: a third batch carrying it again changes nothing.
      await pushTo(store, userId, [change({ seq: 3, key: 'a', value: { n: 'again' } })])
      expect(await store.readChangesAfter(userId, null, 10)).toEqual(records)
    })

    it('applies a batch mixing puts and deletes to distinct keys, new and stored, in batch order', async () => {
      const userId = uniqueUser('mixed')
      await pushTo(
        store,
        userId,
        ['a', 'b', 'c'].map((key, index) => change({ seq: index + 1, key, value: { key } })),
      )
      const [first] = await store.readChangesAfter(userId, null, 10)
      const answer = await pushTo(store, userId, [
        change({ seq: 4, key: 'a', op: 'delete' }),
        change({ seq: 5, key: 'd', value: { key: 'd' } }),
        change({ seq: 6, key: 'c', op: 'delete' }),
        change({ seq: 7, key: 'b', value: { key: 'b', edited: true } }),
        change({ seq: 8, key: 'e', op: 'delete' }),
      ])
      expect(answer.accepted).toHaveLength(5)
      const records = await store.readChangesAfter(userId, first!.revision, 10)
      expect(records.map((record) => [record.key, record.value])).toEqual([
        ['"a"', null],
        ['"d"', { key: 'd' }],
        ['"c"', null],
        ['"b"', { key: 'b', edited: true }],
        ['"e"', null],
      ])
      expect(isIncreasing(revisionsOf(await store.readChangesAfter(userId, null, 10)))).toBe(true)
      expect(records.map((record) => record.clientSeqs)).toEqual([4, 5, 6, 7, 8].map((seq) => ({ 'client-a': seq })))
    })

    it("orders a record written twice in one batch by its last write and merges a partial update into the batch's own put", async () => {
      const userId = uniqueUser('twice')
      await pushTo(store, userId, [
        change({ seq: 1, key: 'x', value: { title: 'x', body: 'first' } }),
        change({ seq: 2, key: 'y', value: { title: 'y' } }),
        change({ seq: 3, key: 'x', value: { body: 'second' }, changedFields: ['body'] }),
      ])
      const records = await store.readChangesAfter(userId, null, 10)
      expect(records.map((record) => [record.key, record.value, record.changeId])).toEqual([
        ['"y"', { title: 'y' }, 'client-a:2'],
        ['"x"', { title: 'x', body: 'second' }, 'client-a:3'],
      ])
    })

    it('keeps the same change ids and keys of two users apart', async () => {
      const [owner, other] = [uniqueUser('apart'), uniqueUser('apart')]
      await pushTo(store, owner, [change({ seq: 1, key: 'k', value: { who: 'owner' } })])
      const answer = await pushTo(second, other, [change({ seq: 1, key: 'k', value: { who: 'other' } })])
      expect(answer.accepted).toEqual(['client-a:1'])
      expect((await store.readChangesAfter(owner, null, 10)).map((record) => record.value)).toEqual([{ who: 'owner' }])
      expect((await store.readChangesAfter(other, null, 10)).map((record) => record.value)).toEqual([{ who: 'other' }])
    })

    it('upserts records and change ids that the transaction did not read first', async () => {
      const userId = uniqueUser('unread')
      await pushTo(store, userId, [change({ seq: 1, key: 'stored', value: { v: 1 } })])
      await store.runPushTransaction(userId, async (transaction) => {
        const state = await transaction.readState(['fresh:1'], [{ table: 'notes', key: '"fresh"' }])
        expect(state.applied.size).toBe(0)
        expect(state.records.size).toBe(0)
        await transaction.writeRecords([write('fresh', { v: 1 }, 'fresh:1')])
        // Written again in the same transaction, and a stored record never read here.
        await transaction.writeRecords([write('fresh', { v: 2 }, 'fresh:2'), write('stored', { v: 2 }, 'stored:2')])
        await transaction.finishBatch(['fresh:1', 'fresh:2', 'client-a:1'], {
          batchId: randomUUID(),
          requestHash: 'h',
          response: '{}',
        })
        // Remembered once already in this transaction.
        await transaction.finishBatch(['fresh:1'], { batchId: randomUUID(), requestHash: 'h', response: '{}' })
      })
      const records = await store.readChangesAfter(userId, null, 10)
      expect(records.map((record) => [record.key, record.value])).toEqual([
        ['"fresh"', { v: 2 }],
        ['"stored"', { v: 2 }],
      ])
      const state = await store.runPushTransaction(userId, (transaction) =>
        transaction.readState(['fresh:1', 'fresh:2', 'client-a:1', 'never'], []),
      )
      expect([...state.applied].sort()).toEqual(['client-a:1', 'fresh:1', 'fresh:2'])
    })

    it('prunes batch answers stored before the cutoff; a pruned batch replayed applies nothing again', async () => {
      const userId = uniqueUser('prune')
      const findBatch = (batchId: string) =>
        store.runPushTransaction(userId, (transaction) => transaction.findBatch(batchId))
      const pushAt = async (createdAt: number, changes: Record<string, unknown>[]) => {
        const body = parsePushBody(batch(changes))
        await applyPush(store, userId, body, randomUUID(), defaultLimits, createdAt)
        return body
      }
      // Far in the past, so batches other tests stored now are never pruned by this one.
      const old = await pushAt(1_000_000, [change({ seq: 1, key: 'a', value: { n: 1 } })])
      const recent = await pushAt(3_000_000, [change({ seq: 2, key: 'b', value: { n: 2 } })])
      const before = await store.readChangesAfter(userId, null, 10)

      expect(await store.pruneBatches(2_000_000)).toBeGreaterThanOrEqual(1)
      expect(await findBatch(old.batchId)).toBeNull()
      expect(await findBatch(recent.batchId)).toMatchObject({ batchId: recent.batchId })
      expect(await store.pruneBatches(2_000_000)).toBe(0)

      // Its answer is gone, its applied change id is not: the replay is accepted and changes nothing.
      const replay = await applyPush(store, userId, old, randomUUID(), defaultLimits, 4_000_000)
      expect(replay).toMatchObject({ kind: 'answered' })
      expect(JSON.parse((replay as { responseText: string }).responseText)).toEqual({
        accepted: ['client-a:1'],
        rejected: [],
      })
      expect(await store.readChangesAfter(userId, null, 10)).toEqual(before)
    })

    it('rolls back every write of a push whose last statement fails, and the store keeps working', async () => {
      const userId = uniqueUser('rollback')
      const batchId = randomUUID()
      const finish = { batchId, requestHash: 'h', response: '{}' }
      await store.runPushTransaction(userId, (transaction) => transaction.finishBatch([], finish))
      const failed = store.runPushTransaction(userId, async (transaction) => {
        await transaction.readState(['lost:1'], [{ table: 'notes', key: '"lost"' }])
        await Promise.all([
          transaction.writeRecords([write('lost', { v: 1 }, 'lost:1')]),
          // The batch id is taken: this statement fails after the records were written.
          transaction.finishBatch(['lost:1'], finish),
        ])
      })
      // The taken batch id fails the statement (a unique violation on either database), and with it the records.
      await expect(failed).rejects.toThrow(/unique|duplicate/i)
      expect(await store.readChangesAfter(userId, null, 10)).toEqual([])
      const state = await store.runPushTransaction(userId, (transaction) => transaction.readState(['lost:1'], []))
      expect(state.applied.size).toBe(0)
      await pushTo(store, userId, [change({ seq: 1, key: 'after' })])
      expect((await store.readChangesAfter(userId, null, 10)).map((record) => record.key)).toEqual(['"after"'])
    })

    it.skipIf(!instancesContend)(
      'makes a push on a second instance wait for an open push of the same user, then revision it later',
      async () => {
        const userId = uniqueUser('wait')
        // The user exists already: its lock is a stored row, not a concurrent insert of that row.
        await pushTo(store, userId, [change({ seq: 1, key: 'zero' })])
        const held = deferred()
        const firstWrote = deferred()
        const first = store.runPushTransaction(userId, async (transaction) => {
          await transaction.readState([], [{ table: 'notes', key: '"first"' }])
          await transaction.writeRecords([write('first', { n: 1 }, 'first:1')])
          firstWrote.resolve()
          await held.promise
          await transaction.finishBatch(['first:1'], { batchId: randomUUID(), requestHash: 'h', response: '{}' })
        })
        await firstWrote.promise
        let secondDone = false
        const later = pushTo(second, userId, [change({ seq: 2, key: 'second' })]).then(() => {
          secondDone = true
        })
        // Blocked on the user's lock, not merely slow: PostgreSQL shows the second session waiting.
        let polls = 0
        while ((await lane.lockWaiters!()) === 0) {
          if (++polls > 1_000) throw new Error('the second push never waited for the lock')
        }
        expect(secondDone).toBe(false)
        expect((await second.readChangesAfter(userId, null, 10)).map((record) => record.key)).toEqual(['"zero"'])
        held.resolve()
        await Promise.all([first, later])
        const records = await second.readChangesAfter(userId, null, 10)
        expect(records.map((record) => record.key)).toEqual(['"zero"', '"first"', '"second"'])
        expect(isIncreasing(revisionsOf(records))).toBe(true)
      },
    )

    it.skipIf(!instancesContend)(
      'never lets a cursor pass a change: concurrent pushes on two instances commit in revision order',
      async () => {
        const userId = uniqueUser('cursor')
        const stores = [store, second]
        const pushes = Array.from({ length: 16 }, (_, round) =>
          pushTo(
            stores[round % 2]!,
            userId,
            Array.from({ length: 25 }, (_, index) =>
              change({ seq: index + 1, key: `r${round}-${index}`, changeId: `${round}:${index}` }),
            ),
            { clientId: `client-${round}` },
          ),
        )
        let finished = false
        const pushed = Promise.all(pushes).finally(() => {
          finished = true
        })
        // A puller advancing its cursor while the pushes commit: a change committed below its cursor is lost to it.
        const seen = new Set<string>()
        let cursor: string | null = null
        const pullOnce = async () => {
          const records = await second.readChangesAfter(userId, cursor, 1000)
          for (const record of records) seen.add(record.key)
          if (records.length > 0) cursor = records.at(-1)!.revision
        }
        while (!finished) await pullOnce()
        await pushed
        await pullOnce()
        expect(seen.size).toBe(16 * 25)
        const all = await store.readChangesAfter(userId, null, 1000)
        expect(all).toHaveLength(16 * 25)
        expect(isIncreasing(revisionsOf(all))).toBe(true)
        // Each batch took its revisions in one block: no other push of the user interleaved with it.
        const batchOfPosition = all.map((record) => record.changeId.split(':')[0])
        expect(batchOfPosition.filter((id, index) => index === 0 || id !== batchOfPosition[index - 1])).toHaveLength(16)
      },
    )
  })
}
