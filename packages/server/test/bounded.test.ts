import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultLimits } from '../src/limits'
import { createPostgresStore } from '../src/store/postgres-store'
import { createSqliteStore } from '../src/store/sqlite-store'
import type { SyncStore } from '../src/store/sync-store'
import { applyPush } from '../src/sync/apply-push'
import { parsePushBody } from '../src/validation/push-body'
import { postgresUrl } from './support/backends'
import { batch, change } from './support/harness'

/** A store and a way to count the rows of its idempotency tables. */
interface CountedStore {
  name: string
  store: SyncStore
  rows(table: 'applied_changes' | 'batches'): Promise<number>
  dispose(): Promise<void>
}

function sqlite(): CountedStore {
  const directory = mkdtempSync(join(tmpdir(), 'autosync-bounded-'))
  const filename = join(directory, 'sync.db')
  const store = createSqliteStore({ filename })
  return {
    name: 'sqlite',
    store,
    async rows(table) {
      const reader = new Database(filename, { readonly: true })
      try {
        return (reader.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number) ?? 0
      } finally {
        reader.close()
      }
    },
    async dispose() {
      await store.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}

async function postgres(url: string): Promise<CountedStore> {
  const schema = `autosync_test_bounded_${randomBytes(4).toString('hex')}`
  const store = await createPostgresStore({ connectionString: url, schema })
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    name: 'postgres',
    store,
    async rows(table) {
      return Number((await client.query(`SELECT count(*) FROM "${schema}".${table}`)).rows[0].count)
    },
    async dispose() {
      await store.close()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await client.end()
    },
  }
}

const url = postgresUrl('bounded')
const lanes: (() => Promise<CountedStore>)[] = [async () => sqlite(), ...(url ? [() => postgres(url)] : [])]

describe.each(lanes.map((open, index) => [index === 0 ? 'sqlite' : 'postgres', open] as const))(
  'bounded idempotency on %s',
  (_name, open) => {
    let counted: CountedStore
    afterAll(() => counted?.dispose())

    it('100,000 changes from 3 clients keep no row per change; every replay still applies nothing twice', async () => {
      counted = await open()
      const { store } = counted
      const userId = 'bounded'
      const clients = ['client-a', 'client-b', 'client-c']
      const pushed: Record<string, unknown>[] = []
      let seq = 0
      // 3 clients × 67 batches of 500 changes over 2,000 records (each record written by several clients).
      for (let round = 0; round < 67; round++) {
        for (const clientId of clients) {
          const changes = Array.from({ length: 500 }, () => {
            seq++
            return change({ clientId, seq, key: `k${seq % 2_000}`, value: { from: clientId, seq } })
          })
          const body = batch(changes, { clientId })
          pushed.push(body)
          await applyPush(store, userId, parsePushBody(body), randomUUID(), defaultLimits)
        }
      }
      expect(seq).toBeGreaterThanOrEqual(100_000)
      // O(clients) idempotency state: no row per change; the batch answers are kept for their retention only.
      expect(await counted.rows('applied_changes')).toBe(0)
      expect(await counted.rows('batches')).toBe(pushed.length)
      await store.pruneBatches(Date.now() + 60_000)
      expect(await counted.rows('batches')).toBe(0)

      const before = await store.readChangesAfter(userId, null, 10_000)
      expect(before).toHaveLength(2_000)
      for (const record of before) expect(Object.keys(record.clientSeqs).length).toBeLessThanOrEqual(clients.length)
      // Replays after retention: an old batch, the newest batch, and one change of it in a new batch from the same
      // client. All accepted, none applied again: no record changes its value or its revision.
      const newest = pushed.at(-1) as { changes: Record<string, unknown>[]; clientId: string }
      const replays = [pushed[0]!, newest, batch([newest.changes[7]!], { clientId: newest.clientId })]
      for (const replay of replays) {
        const outcome = await applyPush(store, userId, parsePushBody(replay), randomUUID(), defaultLimits)
        expect(outcome.kind).toBe('answered')
        const answer = JSON.parse((outcome as { responseText: string }).responseText)
        expect(answer.rejected).toEqual([])
        expect(answer.accepted).toHaveLength((replay.changes as unknown[]).length)
      }
      const after = await store.readChangesAfter(userId, null, 10_000)
      expect(after).toEqual(before)
      expect(await counted.rows('applied_changes')).toBe(0)
    }, 120_000)
  },
)
