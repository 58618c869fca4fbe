import { beforeAll, describe, expect, it } from 'vitest'
import type { SyncStore } from '../../src/store/sync-store'
import type { BackendLane } from './backends'
import { batch, change, pullAll, push, startTestServer, type TestServer, uniqueUser } from './harness'

/** `{ d: { d: … { leaf: true } } }`, `levels` objects deep (the record itself is level 1). */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true }
  for (let level = 1; level < levels; level++) value = { d: value }
  return value
}

/** The JSON text of `nested(levels)`: past a few thousand levels JSON.stringify itself cannot write it. */
const nestedText = (levels: number) => `${'{"d":'.repeat(levels - 1)}{"leaf":true}${'}'.repeat(levels - 1)}`

/** A request body whose `"__deep__"` placeholder value is replaced by `nestedText(levels)`. */
function withDeepValue(body: Record<string, unknown>, levels: number): string {
  return JSON.stringify(body).replace('"__deep__"', nestedText(levels))
}

/** #14: deep values, partial updates of missing records, backups with prototype-like names. */
export function describeHardening(lane: BackendLane): void {
  describe(`hardening on ${lane.name}`, () => {
    let store: SyncStore
    let server: TestServer
    beforeAll(async () => {
      store = await lane.openStore()
      server = await startTestServer(store)
      return async () => {
        await server.close()
        await lane.dispose()
      }
    })

    it.each([65, 4_100, 20_000])(
      'rejects a change nested %i levels deep on its own; the rest of the batch applies',
      async (levels) => {
        const token = server.signer.sign(uniqueUser('deep'))
        const deep = change({ seq: 1, key: 'deep', value: '__deep__' })
        const fine = change({ seq: 2, key: 'fine' })
        const body = batch([deep, fine])
        const answer = await push(server.url, token, withDeepValue(body, levels), {
          'idempotency-key': body.batchId as string,
        })
        expect(answer.status).toBe(200)
        expect(answer.json.accepted).toEqual([fine.changeId])
        expect(answer.json.rejected).toEqual([
          { changeId: deep.changeId, code: 'invalid-value', reason: 'record nests deeper than 64 levels' },
        ])
        expect((await pullAll(server.url, token)).map((record: { key: string }) => record.key)).toEqual(['fine'])
      },
    )

    it('stores a record exactly 64 levels deep', async () => {
      const token = server.signer.sign(uniqueUser('deep-ok'))
      const answer = await push(server.url, token, batch([change({ seq: 1, value: nested(64) })]))
      expect(answer.json.rejected).toEqual([])
      expect((await pullAll(server.url, token))[0].value).toEqual(nested(64))
    })

    it('answers /pull for a record an older server stored too deep for JSON.stringify', async () => {
      const userId = uniqueUser('stored-deep')
      // 8,000 levels: past what V8's JSON.stringify reaches (about 5,000 here), within what PostgreSQL's jsonb holds.
      const value = nested(8_000)
      const text = nestedText(8_000)
      // Written through the store, as a server without the depth check would have.
      await store.runPushTransaction(userId, async (transaction) => {
        await transaction.writeRecords([
          { table: 'notes', key: '"deep"', value, valueText: text, changeId: 'old:1', timestamp: 1, clientSeqs: {} },
        ])
        await transaction.finishBatch(['old:1'], { batchId: 'old', requestHash: 'old', response: '{}' })
      })
      const response = await fetch(`${server.url}/pull`, {
        headers: { authorization: `Bearer ${server.signer.sign(userId)}` },
      })
      expect(response.status).toBe(200)
      const body = await response.text()
      expect(body).toContain(text)
    })

    it('refuses a partial update of a missing or deleted record as a conflict, for push-only clients too', async () => {
      const token = server.signer.sign(uniqueUser('partial'))
      const missing = change({ seq: 1, key: 'never', value: { a: 1 }, changedFields: ['a'] })
      let answer = await push(server.url, token, batch([missing]))
      expect(answer.json.rejected).toEqual([
        {
          changeId: missing.changeId,
          code: 'conflict',
          reason: 'a partial update needs a live record (deleted or never written)',
        },
      ])
      await push(
        server.url,
        token,
        batch([change({ seq: 2, key: 'gone' }), change({ seq: 3, key: 'gone', op: 'delete' })]),
      )
      const deleted = change({ seq: 4, key: 'gone', value: { a: 1 }, changedFields: ['a'] })
      answer = await push(server.url, token, batch([deleted]))
      expect(answer.json.rejected).toEqual([expect.objectContaining({ changeId: deleted.changeId, code: 'conflict' })])
      const records = await pullAll(server.url, token)
      expect(records.map((record: { key: string; op: string }) => [record.key, record.op])).toEqual([
        ['gone', 'delete'],
      ])
    })

    it('a replay after the batch answers were pruned applies nothing that was rejected the first time', async () => {
      const userId = uniqueUser('replay')
      const token = server.signer.sign(userId)
      const big = 'x'.repeat(600 * 1024)
      await push(
        server.url,
        token,
        batch([change({ clientId: 'b', seq: 1, key: 'r', value: { a: big } })], { clientId: 'b' }),
      )
      // Client A's partial update would make the record too large: rejected.
      const grow = batch([change({ clientId: 'a', seq: 1, key: 'r', value: { b: big }, changedFields: ['b'] })], {
        clientId: 'a',
      })
      const first = await push(server.url, token, grow)
      expect(first.json.rejected).toEqual([expect.objectContaining({ code: 'record-too-large' })])
      // Client B writes a newer, small record; every batch answer is pruned (retention passed).
      await push(
        server.url,
        token,
        batch([change({ clientId: 'b', seq: 2, key: 'r', value: { a: 'small' } })], { clientId: 'b' }),
      )
      await store.pruneBatches(Date.now() + 60_000)
      // A's batch comes again (a lost answer): its merge would now fit, and must still not apply.
      const replay = await push(server.url, token, grow)
      expect(replay.status).toBe(200)
      expect(replay.json.accepted).toEqual([])
      expect(replay.json.rejected).toEqual([
        expect.objectContaining({
          code: 'record-too-large',
          reason: 'rejected when first received (record-too-large)',
        }),
      ])
      const [record] = await pullAll(server.url, token)
      expect(record.value).toEqual({ a: 'small' })
    })

    it('gives each user their own revisions: one user cannot see how much others write', async () => {
      const alice = server.signer.sign(uniqueUser('alice'))
      const bob = server.signer.sign(uniqueUser('bob'))
      const keys = (count: number, from: number) =>
        Array.from({ length: count }, (_, index) => change({ seq: from + index, key: `k${from + index}` }))
      await push(server.url, alice, batch(keys(5, 1)))
      await push(server.url, bob, batch(keys(3, 1)))
      await push(server.url, alice, batch(keys(2, 6)))
      await push(server.url, bob, batch(keys(1, 4)))
      const revisions = async (token: string) =>
        (await pullAll(server.url, token)).map((record: { revision: string }) => Number(record.revision))
      // Consecutive from the user's first write, whatever the other user did in between; pull order stays exact.
      expect(await revisions(alice)).toEqual([1, 2, 3, 4, 5, 6, 7])
      expect(await revisions(bob)).toEqual([1, 2, 3, 4])
    })

    it('keeps tables and fields named constructor, prototype and __proto__ in a backup, faithfully', async () => {
      const userId = uniqueUser('backup-names')
      const token = server.signer.sign(userId)
      const text =
        '{"backupId":"names","clientId":"c","userId":null,"createdAt":1,"tables":{' +
        '"constructor":[{"id":"1","prototype":{"x":1}}],"__proto__":[{"id":"2","__proto__":{"polluted":true}}],' +
        '"notes":[{"id":"3","constructor":"c"}]}}'
      const saved = await fetch(`${server.url}/backup`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: text,
      })
      expect(saved.status).toBe(201)
      expect((await saved.json()).records).toBe(3)
      const restored = await fetch(`${server.url}/backup/latest`, { headers: { authorization: `Bearer ${token}` } })
      const restoredText = await restored.text()
      for (const name of [
        '"constructor":[',
        '"__proto__":[',
        '"prototype":{"x":1}',
        '"__proto__":{"polluted":true}',
        '"constructor":"c"',
      ])
        expect(restoredText).toContain(name)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })

    it('refuses a backup named latest (GET /backup/latest names the newest one)', async () => {
      const token = server.signer.sign(uniqueUser('backup-latest'))
      const saved = await fetch(`${server.url}/backup`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ backupId: 'latest', clientId: 'c', userId: null, createdAt: 1, tables: {} }),
      })
      expect(saved.status).toBe(400)
      expect((await saved.json()).error.details.field).toBe('backupId')
    })

    it('refuses a backup with a record nested deeper than 64 levels with a 400, never a 500', async () => {
      const token = server.signer.sign(uniqueUser('backup-deep'))
      const saved = await fetch(`${server.url}/backup`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          backupId: 'deep',
          clientId: 'c',
          userId: null,
          createdAt: 1,
          tables: { notes: ['__deep__'] },
        }).replace('"__deep__"', nestedText(5_000)),
      })
      expect(saved.status).toBe(400)
      expect((await saved.json()).error.details.field).toBe('tables.notes[0]')
    })
  })
}
