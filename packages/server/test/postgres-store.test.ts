import { randomBytes, randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultLimits } from '../src/limits'
import { createPostgresStore } from '../src/store/postgres-store'
import type { StoredRecord, SyncStore } from '../src/store/sync-store'
import { applyPush } from '../src/sync/apply-push'
import { parsePushBody } from '../src/validation/push-body'
import { postgresUrl } from './support/backends'
import { batch, change, deferred } from './support/harness'

const url = postgresUrl('postgres store')

// Regressions of the PostgreSQL store itself; the shared suites run through support/backends.
describe.skipIf(!url)('postgres store', () => {
  const schema = `autosync_test_postgres_store_${randomBytes(4).toString('hex')}`
  let store: SyncStore
  let client: pg.Client
  beforeAll(async () => {
    store = await createPostgresStore({ connectionString: url!, schema })
    client = new pg.Client({ connectionString: url })
    await client.connect()
  })
  afterAll(async () => {
    await store?.close()
    await client?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client?.end()
  })

  it('pages through revisions that gain a digit in numeric order, never as text', async () => {
    // Text order would put 100..104 before 95..99, and a cursor of 104 would then skip 95..99.
    await client.query(`INSERT INTO "${schema}".users (user_id, last_revision) VALUES ('digits', 94)`)
    const changes = Array.from({ length: 10 }, (_, index) => change({ seq: index + 1, key: `k${index}` }))
    await applyPush(store, 'digits', parsePushBody(batch(changes)), randomUUID(), defaultLimits)
    const pulled: StoredRecord[] = []
    let cursor: string | null = null
    for (;;) {
      const page = await store.readChangesAfter('digits', cursor, 3)
      if (page.length === 0) break
      pulled.push(...page)
      cursor = page.at(-1)!.revision
    }
    expect(pulled.map((record) => record.revision)).toEqual(Array.from({ length: 10 }, (_, index) => `${95 + index}`))
    expect(pulled.map((record) => record.key)).toEqual(changes.map((entry) => JSON.stringify(entry.key)))
  })

  it('continues above the highest revision of a user whose rows predate per-user revisions', async () => {
    // As a database from before: a global sequence gave this user revision 500; their row has no counter yet.
    await client.query(`INSERT INTO "${schema}".users (user_id) VALUES ('older')`)
    await client.query(
      `INSERT INTO "${schema}".records (user_id, table_name, record_key, value, revision, change_id, client_seqs)
       VALUES ('older', 'notes', '"old"', '{}', 500, 'old:1', '{}')`,
    )
    await applyPush(store, 'older', parsePushBody(batch([change({ seq: 1, key: 'new' })])), randomUUID(), defaultLimits)
    const records = await store.readChangesAfter('older', null, 10)
    expect(records.map((record) => [record.key, record.revision])).toEqual([
      ['"old"', '500'],
      ['"new"', '501'],
    ])
  })

  it('fails a push whose statement failed even when the work did not wait for it', async () => {
    const finish = { batchId: randomUUID(), requestHash: 'h', response: '{}' }
    await store.runPushTransaction('unawaited', (transaction) => transaction.finishBatch([], finish))
    const push = store.runPushTransaction('unawaited', async (transaction) => {
      await transaction.writeRecords([
        { table: 'notes', key: '"k"', value: {}, valueText: '{}', changeId: 'c:1', timestamp: 1, clientSeqs: {} },
      ])
      // The batch id is taken; the work returns without waiting for the statement to fail.
      transaction.finishBatch(['c:1'], finish).catch(() => undefined)
    })
    await expect(push).rejects.toThrow(/rolled back/)
    expect(await store.readChangesAfter('unawaited', null, 10)).toEqual([])
  })

  it("reports the lock's own error, not the statements queued behind it", async () => {
    // A second instance that gives up waiting for a user's lock after 50 ms.
    const impatient = await createPostgresStore({
      connectionString: `${url}${url!.includes('?') ? '&' : '?'}options=-c%20lock_timeout%3D50`,
      schema,
    })
    const held = deferred()
    const locked = deferred()
    const holder = store.runPushTransaction('contended', async (transaction) => {
      await transaction.findBatch('none')
      locked.resolve()
      await held.promise
    })
    try {
      await locked.promise
      const push = (seq: number) =>
        applyPush(
          impatient,
          'contended',
          parsePushBody(batch([change({ seq, key: 'k' })])),
          randomUUID(),
          defaultLimits,
        )
      await expect(push(1)).rejects.toMatchObject({ code: '55P03' })
      held.resolve()
      await holder
      // The failed push rolled back and left its connection usable.
      expect((await push(2)).kind).toBe('answered')
    } finally {
      held.resolve()
      await holder
      await impatient.close()
    }
  })
})
