import { describe, expect, it } from 'vitest'
import { AdapterError } from '../errors'
import { silentLogger } from '../runtime/defaults'
import type { AdapterContext, Change, PushBatch, RecordKey, SyncAdapter } from '../types'

/** A failure the backend is made to answer every push with. */
export type AdapterFault =
  | { type: 'http'; status: 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503; retryAfterSeconds?: number }
  | { type: 'timeout' }
  | { type: 'malformed-body' }

export type AdapterFaultName = `http-${401 | 403 | 404 | 409 | 413 | 429 | 500 | 503}` | 'timeout' | 'malformed-body'

export interface TestAdapterOptions<A extends SyncAdapter = SyncAdapter> {
  name: string
  /** A fresh adapter on the real backend; with `fault`, the backend answers every push with that failure. */
  createAdapter(setup: { fault?: AdapterFault }): A | Promise<A>
  /** What the backend holds for a user's record; without it, the suite reads back through `pull`. */
  read?(adapter: A, userId: string, table: string, key: RecordKey): Promise<Record<string, unknown> | undefined>
  /** Faults this backend cannot be made to answer (`it.skipIf`). */
  skipFaults?: AdapterFaultName[]
  /** Skip checks of an advertised capability, e.g. while a backend emulator lacks it. */
  skip?: Partial<{ partialUpdates: boolean; pull: boolean; backup: boolean; keys: boolean }>
  /** Runs after each test (close clients, drop tables). */
  cleanup?(adapter: A): void | Promise<void>
}

const expectedFaults: { name: AdapterFaultName; fault: AdapterFault; kinds: string[]; retryable: boolean }[] = [
  { name: 'http-401', fault: { type: 'http', status: 401 }, kinds: ['auth'], retryable: false },
  { name: 'http-403', fault: { type: 'http', status: 403 }, kinds: ['auth'], retryable: false },
  { name: 'http-404', fault: { type: 'http', status: 404 }, kinds: ['protocol', 'rejected'], retryable: false },
  { name: 'http-409', fault: { type: 'http', status: 409 }, kinds: ['conflict'], retryable: false },
  { name: 'http-413', fault: { type: 'http', status: 413 }, kinds: ['protocol', 'rejected'], retryable: false },
  {
    name: 'http-429',
    fault: { type: 'http', status: 429, retryAfterSeconds: 7 },
    kinds: ['rate-limited'],
    retryable: true,
  },
  { name: 'http-500', fault: { type: 'http', status: 500 }, kinds: ['server'], retryable: true },
  { name: 'http-503', fault: { type: 'http', status: 503 }, kinds: ['server'], retryable: true },
  { name: 'timeout', fault: { type: 'timeout' }, kinds: ['timeout', 'network'], retryable: true },
  { name: 'malformed-body', fault: { type: 'malformed-body' }, kinds: ['protocol'], retryable: true },
]

/** Keys every adapter must carry unchanged (DESIGN's allowed set: no `/`, `\`, control characters, `.`/`..`). */
export const conformanceKeys: RecordKey[] = [
  'plain',
  'with space',
  'percent%20and+plus',
  'query?and#hash&amp=1',
  'quotes"\'`',
  'colon:semi;comma,',
  'unicode-ünïcödé-日本語',
  'emoji-😀-👩‍👩‍👧',
  '...dots...',
  'a'.repeat(512),
  'é'.repeat(256),
  42,
  0,
  -7.5,
]

/**
 * The adapter conformance suite: every adapter package runs it against its real backend.
 * @example testAdapter({ name: 'rest', createAdapter: ({ fault }) => restAdapter({ baseUrl: server.url(fault) }) })
 */
export function testAdapter<A extends SyncAdapter>(options: TestAdapterOptions<A>): void {
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
  let seq = 0
  const user = (name: string) => `${name}-${runId}`
  const context = (userId: string, signal = new AbortController().signal): AdapterContext => ({
    signal,
    userId,
    clientId: `conformance-${runId}`,
    logger: silentLogger,
  })
  const change = (table: string, key: RecordKey, value?: Record<string, unknown>, changedFields?: string[]): Change => {
    seq++
    return {
      changeId: `conformance-${runId}:${seq}`,
      table,
      key,
      op: value ? 'put' : 'delete',
      ...(value ? { value } : {}),
      ...(changedFields ? { changedFields } : {}),
      seq,
      timestamp: 1_700_000_000_000 + seq,
    }
  }
  const batch = (userId: string, changes: Change[]): PushBatch => ({
    batchId: `batch-${runId}-${changes.map((item) => item.seq).join('-')}`,
    clientId: `conformance-${runId}`,
    userId,
    changes,
  })
  async function withAdapter(fault: AdapterFault | undefined, test: (adapter: A) => Promise<void>) {
    const adapter = await options.createAdapter(fault ? { fault } : {})
    try {
      await test(adapter)
    } finally {
      await options.cleanup?.(adapter)
      await adapter.dispose?.()
    }
  }
  async function readBack(adapter: A, userId: string, table: string, key: RecordKey) {
    if (options.read) return options.read(adapter, userId, table, key)
    let found: Record<string, unknown> | undefined
    let cursor: string | null = null
    for (let page = 0; page < 1_000; page++) {
      const response = await adapter.pull!({ cursor, limit: 500, userId }, context(userId))
      for (const remote of response.changes) {
        if (remote.table === table && remote.key === key) found = remote.op === 'delete' ? undefined : remote.value
      }
      cursor = response.cursor
      if (!response.hasMore) break
    }
    return found
  }
  async function pushAll(adapter: A, userId: string, changes: Change[]) {
    const pushed = batch(userId, changes)
    const result = await adapter.push(pushed, context(userId))
    expect([...result.accepted].sort()).toEqual(changes.map((item) => item.changeId).sort())
    return pushed
  }

  describe(`${options.name}: adapter conformance`, async () => {
    const probe = await options.createAdapter({})
    const capabilities = probe.capabilities
    await probe.dispose?.()
    const canRead = Boolean(options.read) || capabilities.pull

    it('declares specification v1 and its capabilities', () => {
      expect(probe.specificationVersion).toBe('v1')
      expect(capabilities.maxBatchSize).toBeGreaterThan(0)
      expect(typeof capabilities.partialUpdates).toBe('boolean')
      expect(typeof capabilities.pull).toBe('boolean')
      expect(typeof capabilities.backup).toBe('boolean')
    })

    it('acknowledges every change of a pushed batch', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('ack')
        await pushAll(adapter, userId, [
          change('notes', 'n1', { id: 'n1', text: 'one' }),
          change('notes', 'n2', { id: 'n2' }),
        ])
        if (canRead) expect(await readBack(adapter, userId, 'notes', 'n1')).toMatchObject({ id: 'n1', text: 'one' })
      }))

    it('treats a replay of the same batch as harmless', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('replay')
        const pushed = await pushAll(adapter, userId, [change('notes', 'r1', { id: 'r1', count: 1 })])
        await pushAll(adapter, userId, [change('notes', 'r1', { id: 'r1', count: 2 })])
        const replay = await adapter.push(pushed, context(userId))
        expect(replay.accepted).toEqual(pushed.changes.map((item) => item.changeId))
        if (canRead) expect(await readBack(adapter, userId, 'notes', 'r1')).toMatchObject({ count: 2 })
      }))

    it.skipIf(!capabilities.partialUpdates || options.skip?.partialUpdates)('applies partial updates', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('partial')
        await pushAll(adapter, userId, [change('notes', 'p1', { id: 'p1', title: 'T', body: 'B' })])
        await pushAll(adapter, userId, [change('notes', 'p1', { id: 'p1', title: 'T2', body: 'B' }, ['title'])])
        if (canRead)
          expect(await readBack(adapter, userId, 'notes', 'p1')).toEqual({ id: 'p1', title: 'T2', body: 'B' })
      }),
    )

    it('deletes records', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('delete')
        await pushAll(adapter, userId, [change('notes', 'd1', { id: 'd1' })])
        await pushAll(adapter, userId, [change('notes', 'd1')])
        if (canRead) expect(await readBack(adapter, userId, 'notes', 'd1')).toBeUndefined()
      }))

    it.skipIf(!canRead)('never shows a user another user’s data', () =>
      withAdapter(undefined, async (adapter) => {
        const alice = user('alice')
        const bob = user('bob')
        await pushAll(adapter, alice, [change('notes', 'shared-key', { id: 'shared-key', owner: 'alice' })])
        expect(await readBack(adapter, bob, 'notes', 'shared-key')).toBeUndefined()
        await pushAll(adapter, bob, [change('notes', 'shared-key', { id: 'shared-key', owner: 'bob' })])
        expect(await readBack(adapter, alice, 'notes', 'shared-key')).toMatchObject({ owner: 'alice' })
      }),
    )

    for (const expected of expectedFaults) {
      it.skipIf(options.skipFaults?.includes(expected.name))(`classifies ${expected.name}`, () =>
        withAdapter(expected.fault, async (adapter) => {
          const userId = user('fault')
          const error = await adapter.push(batch(userId, [change('notes', 'f1', { id: 'f1' })]), context(userId)).then(
            () => undefined,
            (caught: unknown) => caught,
          )
          expect(AdapterError.isInstance(error), `${expected.name} must reject with an AdapterError`).toBe(true)
          const adapterError = error as AdapterError
          expect(expected.kinds).toContain(adapterError.kind)
          expect(adapterError.retryable).toBe(expected.retryable)
          if (expected.fault.type === 'http') expect(adapterError.status).toBe(expected.fault.status)
          if (expected.name === 'http-429') expect(adapterError.retryAfterMs).toBe(7_000)
        }),
      )
    }

    it.skipIf(!capabilities.pull || options.skip?.pull)('pulls what was pushed, page by page', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('pull')
        await pushAll(adapter, userId, [change('notes', 'q1', { id: 'q1' }), change('notes', 'q2', { id: 'q2' })])
        const keys: RecordKey[] = []
        let cursor: string | null = null
        for (let page = 0; page < 10; page++) {
          const response = await adapter.pull!({ cursor, limit: 1, userId }, context(userId))
          keys.push(...response.changes.map((remote) => remote.key))
          cursor = response.cursor
          if (!response.hasMore) break
        }
        expect(keys).toEqual(expect.arrayContaining(['q1', 'q2']))
      }),
    )

    it.skipIf(!capabilities.backup || options.skip?.backup)('stores a backup snapshot', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('backup')
        const snapshot = {
          backupId: `backup-${runId}`,
          clientId: `conformance-${runId}`,
          userId,
          createdAt: 1_700_000_000_000,
          tables: { notes: [{ id: 'b1' }, { id: 'b2' }] },
        }
        const result = await adapter.backup!(snapshot, context(userId))
        expect(result).toMatchObject({ backupId: snapshot.backupId, records: 2 })
        if (result.location) expect(result.location).not.toMatch(/signature|token|authorization/i)
      }),
    )

    it.skipIf(!canRead || options.skip?.keys)('round-trips keys with every allowed character', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('keys')
        await pushAll(
          adapter,
          userId,
          conformanceKeys.map((key) => change('notes', key, { id: key, key: String(key) })),
        )
        for (const key of conformanceKeys) {
          expect(await readBack(adapter, userId, 'notes', key), `key ${JSON.stringify(key)}`).toEqual({
            id: key,
            key: String(key),
          })
        }
      }),
    )

    it('stops on an aborted signal without acknowledging', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('abort')
        const controller = new AbortController()
        controller.abort()
        const outcome = await adapter
          .push(batch(userId, [change('notes', 'x1', { id: 'x1' })]), context(userId, controller.signal))
          .then(
            (result) => result.accepted.length,
            (error: unknown) => (AdapterError.isInstance(error) || error instanceof Error ? 'rejected' : 'odd'),
          )
        expect(outcome).toBe('rejected')
      }))
  })
}
