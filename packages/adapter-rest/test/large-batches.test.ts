import 'fake-indexeddb/auto'
import { createAutoSync, openStorage, type PushBatch, silentLogger } from '@autosync/core'
import { createSyncServer, createTokenSigner, silentLogger as silentServerLogger } from '@autosync/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { restAdapter } from '../src'
import { adapterContext, batchOf, put } from './support'
import { type ServerLane, sqliteLane } from './support/server-lanes'

const signer = createTokenSigner('adapter-rest-large-batches-secret')
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** The real server on SQLite with the given body limit, and every push request it received. */
async function startServer(maxBodyBytes?: number) {
  const lane: ServerLane = sqliteLane()
  const server = createSyncServer({
    store: lane.store,
    verifier: signer.verify,
    logger: silentServerLogger,
    ...(maxBodyBytes && { limits: { maxBodyBytes } }),
  })
  const { url } = await server.listen(0, '127.0.0.1')
  cleanups.push(async () => {
    await server.close()
    await lane.dispose()
  })
  const pushes: { idempotencyKey: string; bytes: number; changes: number }[] = []
  const recordingFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    if (request.method === 'POST' && new URL(request.url).pathname.endsWith('/push')) {
      const text = await request.clone().text()
      const changes = (JSON.parse(text) as PushBatch).changes.length
      pushes.push({ idempotencyKey: request.headers.get('idempotency-key')!, bytes: utf8Length(text), changes })
    }
    return fetch(request)
  }
  const adapter = (options: { maxBodyBytes?: number } = {}) =>
    restAdapter({ baseUrl: url, getToken: ({ userId }) => signer.sign(userId!), fetch: recordingFetch, ...options })
  /** Every record the server holds for u1, by key. */
  async function stored(): Promise<Map<unknown, unknown>> {
    const records = new Map<unknown, unknown>()
    let cursor: string | null = null
    for (;;) {
      const page = await adapter().pull!({ cursor, limit: 1000, userId: 'u1' }, adapterContext())
      for (const change of page.changes) records.set(change.key, change.value)
      cursor = page.cursor
      if (!page.hasMore) return records
    }
  }
  return { url, pushes, adapter, stored }
}

const text = (bytes: number) => 'x'.repeat(bytes)
const utf8Length = (body: string) => Buffer.byteLength(body, 'utf8')

describe('batches larger than one request body', () => {
  it('sends a batch over maxBodyBytes as several idempotent requests, each within the limit', async () => {
    const server = await startServer()
    const changes = Array.from({ length: 40 }, (_, index) => put('notes', `n${index}`, { text: text(1_000) }))
    const batch = batchOf(changes, 'big-batch')
    const adapter = server.adapter({ maxBodyBytes: 16_384 })

    const result = await adapter.push(batch, adapterContext())
    expect(result.accepted).toEqual(changes.map((change) => change.changeId))
    expect(result.rejected).toEqual([])
    expect(server.pushes.length).toBeGreaterThanOrEqual(3)
    for (const push of server.pushes) expect(push.bytes).toBeLessThanOrEqual(16_384)
    expect(server.pushes.reduce((sum, push) => sum + push.changes, 0)).toBe(40)
    expect((await server.stored()).size).toBe(40)

    // A retry of the same batch replays the same requests: same keys, same answer, nothing applied twice.
    const firstKeys = server.pushes.map((push) => push.idempotencyKey)
    expect(new Set(firstKeys).size).toBe(firstKeys.length)
    server.pushes.length = 0
    expect(await adapter.push(batch, adapterContext())).toEqual(result)
    expect(server.pushes.map((push) => push.idempotencyKey)).toEqual(firstKeys)
    expect((await server.stored()).size).toBe(40)
  })

  it('halves on a 413 from a server with a lower limit and refuses only the change that cannot fit', async () => {
    const server = await startServer(8_192)
    const small = Array.from({ length: 30 }, (_, index) => put('notes', `s${index}`, { text: text(900) }))
    const huge = put('notes', 'huge', { text: text(20_000) })
    const changes = [...small.slice(0, 17), huge, ...small.slice(17)]

    const result = await server.adapter().push(batchOf(changes), adapterContext())
    expect(result.accepted.sort()).toEqual(small.map((change) => change.changeId).sort())
    expect(result.rejected).toEqual([{ changeId: huge.changeId, reason: expect.stringMatching(/answered 413/) }])
    const stored = await server.stored()
    expect(stored.size).toBe(30)
    expect(stored.has('huge')).toBe(false)
  })

  it('halves a batch whose JSON would be longer than the engine allows instead of failing it on every retry', async () => {
    const server = await startServer()
    const changes = Array.from({ length: 40 }, (_, index) => put('notes', `r${index}`, { text: text(1_000) }))
    // V8 throws this RangeError past its longest string (about 512 MiB of JSON); here the limit is 16,000 characters.
    const stringify = JSON.stringify
    vi.spyOn(JSON, 'stringify').mockImplementation((...parameters: Parameters<typeof stringify>) => {
      const json = stringify(...parameters)
      if (json?.length > 16_000) throw new RangeError('Invalid string length')
      return json
    })
    try {
      const result = await server.adapter().push(batchOf(changes), adapterContext())
      expect(result.accepted.sort()).toEqual(changes.map((change) => change.changeId).sort())
    } finally {
      vi.restoreAllMocks()
    }
    expect(server.pushes.length).toBeGreaterThanOrEqual(3)
    expect((await server.stored()).size).toBe(40)
  })

  it('still rejects a one-change batch the server refuses as too large with the 413 AdapterError', async () => {
    const server = await startServer(4_096)
    const error = await server
      .adapter()
      .push(batchOf([put('notes', 'alone', { text: text(10_000) })]), adapterContext())
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ kind: 'rejected', retryable: false, status: 413 })
  })

  it('end to end: core syncs every note and dead-letters only the one the server cannot take', async () => {
    const server = await startServer(8_192)
    const storage = await openStorage({
      name: `large-batches-${Math.random()}`,
      version: 1,
      tables: { notes: { keyPath: 'id' } },
      activeUserId: 'u1',
      logger: silentLogger,
    })
    cleanups.push(async () => storage.close())
    const notes = Array.from({ length: 60 }, (_, index) => ({ id: `note-${index}`, text: text(700) }))
    await storage.bulkPut('notes', notes)
    await storage.put('notes', { id: 'too-big', text: text(50_000) })
    const autoSync = createAutoSync({
      storage,
      adapter: server.adapter(),
      userId: 'u1',
      periodicSyncMs: 0,
      logger: silentLogger,
    })
    cleanups.push(() => autoSync.stop())
    await autoSync.start()
    await autoSync.syncNow()

    expect(await storage.outbox.count({ userId: 'u1' })).toBe(0)
    const deadLetters = await autoSync.deadLetters.list()
    expect(deadLetters.map((deadLetter) => deadLetter.change.key)).toEqual(['too-big'])
    const stored = await server.stored()
    expect([...stored.keys()].sort()).toEqual(notes.map((note) => note.id).sort())
    expect(autoSync.getStatus().lastError).toBeNull()
  })
})
