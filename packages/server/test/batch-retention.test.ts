import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSqliteStore } from '../src/store/sqlite-store'
import type { SyncStore } from '../src/store/sync-store'
import { batch, change, push, startTestServer, type TestServer } from './support/harness'

const hour = 60 * 60 * 1000
const day = 24 * hour
const started = Date.parse('2026-01-01T00:00:00Z')

describe('batch answer retention', () => {
  let server: TestServer | undefined
  let store: SyncStore | undefined
  afterEach(async () => {
    await server?.close()
    await store?.close()
    server = store = undefined
  })

  /** A server on SQLite with a settable clock, recording every prune cutoff it asks the store for. */
  async function start(batchRetentionMs?: number) {
    const clock = { time: started, now: () => clock.time }
    const real = createSqliteStore()
    store = real
    const cutoffs: number[] = []
    const recording: SyncStore = {
      ...real,
      pruneBatches(createdBefore) {
        cutoffs.push(createdBefore)
        return real.pruneBatches(createdBefore)
      },
    }
    server = await startTestServer(recording, { clock, ...(batchRetentionMs && { batchRetentionMs }) })
    const token = server.signer.sign('u1')
    const answerOf = (batchId: string) => real.runPushTransaction('u1', (transaction) => transaction.findBatch(batchId))
    return { clock, cutoffs, token, answerOf }
  }

  it('prunes answers older than batchRetentionMs after a push, at most once an hour', async () => {
    const { clock, cutoffs, token, answerOf } = await start(day)
    const first = batch([change({ seq: 1, key: 'a' })]) as { batchId: string }
    expect((await push(server!.url, token, first)).status).toBe(200)
    expect(cutoffs).toEqual([started - day])

    clock.time = started + day + 60_000
    const second = batch([change({ seq: 2, key: 'b' })]) as { batchId: string }
    await push(server!.url, token, second)
    expect(cutoffs).toEqual([started - day, started + 60_000])
    await vi.waitFor(async () => expect(await answerOf(first.batchId)).toBeNull())
    expect(await answerOf(second.batchId)).toMatchObject({ batchId: second.batchId })
    expect(server!.logs).toContainEqual({ event: 'batches-pruned', count: 1 })

    // Within the hour no push prunes again; the first one after it does.
    clock.time += hour - 1
    await push(server!.url, token, batch([change({ seq: 3, key: 'c' })]))
    expect(cutoffs).toHaveLength(2)
    clock.time += 1
    await push(server!.url, token, batch([change({ seq: 4, key: 'd' })]))
    expect(cutoffs).toEqual([started - day, started + 60_000, started + hour + 60_000])

    // The pruned batch replayed: accepted again from its applied change id, not applied twice.
    const replay = await push(server!.url, token, first)
    expect(replay.json).toEqual({ accepted: ['client-a:1'], rejected: [] })
  })

  it('keeps answers for 7 days by default and forever with Infinity', async () => {
    const defaults = await start()
    await push(server!.url, defaults.token, batch([change({ seq: 1 })]))
    expect(defaults.cutoffs).toEqual([started - 7 * day])
    await server!.close()
    await store!.close()

    const forever = await start(Number.POSITIVE_INFINITY)
    forever.clock.time += 365 * day
    await push(server!.url, forever.token, batch([change({ seq: 1 })]))
    expect(forever.cutoffs).toEqual([])
  })

  it('refuses a retention that is not positive', async () => {
    store = createSqliteStore()
    for (const batchRetentionMs of [0, -1, Number.NaN]) {
      await expect(startTestServer(store, { batchRetentionMs })).rejects.toThrow(/batchRetentionMs/)
    }
  })

  it('adds the age column to a SQLite file written before answers had one, and prunes its old answers first', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'autosync-retention-'))
    try {
      const filename = join(directory, 'old.db')
      const old = new Database(filename)
      old.exec(`CREATE TABLE batches (user_id TEXT NOT NULL, batch_id TEXT NOT NULL, request_hash TEXT NOT NULL,
        response TEXT NOT NULL, PRIMARY KEY (user_id, batch_id)) WITHOUT ROWID;
        INSERT INTO batches VALUES ('u1', 'from-before', 'h', '{"accepted":[],"rejected":[]}')`)
      old.close()
      store = createSqliteStore({ filename })
      const answerOf = (batchId: string) =>
        store!.runPushTransaction('u1', (transaction) => transaction.findBatch(batchId))
      expect(await answerOf('from-before')).toMatchObject({ batchId: 'from-before' })
      expect(await store.pruneBatches(Date.now() - 7 * day)).toBe(1)
      expect(await answerOf('from-before')).toBeNull()
    } finally {
      await store?.close()
      store = undefined
      rmSync(directory, { recursive: true, force: true })
    }
  })
})

describe('settled rejections on an older SQLite file', () => {
  it('adds the rejected column to applied_changes and drops the rows of applied changes (records carry them)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'autosync-old-applied-'))
    const filename = join(directory, 'old.db')
    const old = new Database(filename)
    old.exec(
      'CREATE TABLE applied_changes (user_id TEXT NOT NULL, change_id TEXT NOT NULL, PRIMARY KEY (user_id, change_id)) WITHOUT ROWID',
    )
    old.prepare('INSERT INTO applied_changes (user_id, change_id) VALUES (?, ?)').run('u1', 'old:1')
    old.close()
    const store = createSqliteStore({ filename })
    try {
      const state = await store.runPushTransaction('u1', (transaction) => transaction.readState(['old:1', 'new:1'], []))
      expect([...state.applied]).toEqual([])
      await store.runPushTransaction('u1', (transaction) =>
        transaction.finishBatch([], { batchId: 'b', requestHash: 'h', response: '{}' }, [
          { changeId: 'new:1', code: 'record-too-large' },
        ]),
      )
      const after = await store.runPushTransaction('u1', (transaction) => transaction.readState(['new:1'], []))
      expect(after.rejected.get('new:1')).toBe('record-too-large')
    } finally {
      await store.close()
      rmSync(directory, { recursive: true, force: true })
    }
  })
})

describe('per-user revisions on an older SQLite file', () => {
  it('continues above the highest revision a user got from the old server-wide counter', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'autosync-old-revisions-'))
    const filename = join(directory, 'old.db')
    const first = createSqliteStore({ filename })
    await first.close()
    const old = new Database(filename)
    old
      .prepare(
        `INSERT INTO records (user_id, table_name, record_key, value, revision, change_id, client_seqs)
         VALUES ('u1', 'notes', '"old"', '{}', 500, 'old:1', '{}')`,
      )
      .run()
    old.close()
    const store = createSqliteStore({ filename })
    try {
      const revisions = await store.runPushTransaction('u1', (transaction) =>
        transaction.writeRecords([
          { table: 'notes', key: '"new"', value: {}, valueText: '{}', changeId: 'new:1', timestamp: 1, clientSeqs: {} },
        ]),
      )
      expect(revisions).toEqual(['501'])
    } finally {
      await store.close()
      rmSync(directory, { recursive: true, force: true })
    }
  })
})
