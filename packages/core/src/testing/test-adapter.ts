import { describe, expect, it } from 'vitest'
import { AdapterError } from '../errors'
import { silentLogger } from '../runtime/defaults'
import type { AdapterContext, Change, PullResponse, PushBatch, RecordKey, RemoteChange, SyncAdapter } from '../types'
import { type AdapterFault, type AdapterFaultName, conformanceKeys } from './faults'

export interface TestAdapterOptions<A extends SyncAdapter = SyncAdapter> {
  name: string
  /** A fresh adapter on the real backend; with `fault`, the backend answers every push with that failure. */
  createAdapter(setup: { fault?: AdapterFault }): A | Promise<A>
  /** What the backend holds for a user's record; without it, the suite reads back through `pull`. */
  read?(adapter: A, userId: string, table: string, key: RecordKey): Promise<Record<string, unknown> | undefined>
  /** Faults this backend cannot be made to answer (`it.skipIf`). */
  skipFaults?: AdapterFaultName[]
  /**
   * Skip the whole section of an advertised capability, e.g. while a backend emulator lacks it; each skipped
   * test shows as skipped. `keys` skips the round trip of every allowed key character.
   */
  skip?: Partial<Record<'partialUpdates' | 'pull' | 'backup' | 'keys' | 'conditionalWrites' | 'live', boolean>>
  /** Runs after each test (close clients, drop tables). */
  cleanup?(adapter: A): void | Promise<void>
}

const expectedFaults: { name: AdapterFaultName; fault: AdapterFault; kinds: string[]; retryable: boolean }[] = [
  { name: 'http-401', fault: { type: 'http', status: 401 }, kinds: ['auth'], retryable: false },
  { name: 'http-403', fault: { type: 'http', status: 403 }, kinds: ['auth'], retryable: false },
  // A whole request refused for what no change caused (a wrong URL or bucket) fails the attempt: nothing is dead-lettered.
  { name: 'http-404', fault: { type: 'http', status: 404 }, kinds: ['protocol'], retryable: true },
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
  async function pullEverything(adapter: A, userId: string, from: string | null, limit: number) {
    const changes: RemoteChange[] = []
    const pages: PullResponse[] = []
    let cursor = from
    for (let page = 0; page < 1_000; page++) {
      const response = await adapter.pull!({ cursor, limit, userId }, context(userId))
      pages.push(response)
      changes.push(...response.changes)
      cursor = response.cursor
      if (!response.hasMore) break
    }
    return { changes, pages, cursor }
  }
  const otherContext = (userId: string): AdapterContext => ({ ...context(userId), clientId: `other-${runId}` })
  /** Retries `attempt` (a push followed by the awaited hint) until it settles, for stream-based adapters still connecting. */
  async function waitUntil(attempt: () => Promise<void>, totalMs: number) {
    const deadline = Date.now() + totalMs
    for (;;) {
      const settled = await Promise.race([
        attempt().then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 1_000)),
      ])
      if (settled) return
      if (Date.now() > deadline) throw new Error(`[autosync] [conformance] no live hint arrived within ${totalMs} ms`)
    }
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
    const skip = options.skip ?? {}
    const pulls = capabilities.pull && !skip.pull
    // Reading back needs `read` or a pull: without either, every read-back test is a visible skip.
    const canRead = Boolean(options.read) || pulls

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
      }))

    it.skipIf(!canRead)('stores what it acknowledged', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('stored')
        await pushAll(adapter, userId, [change('notes', 'n1', { id: 'n1', text: 'one' })])
        expect(await readBack(adapter, userId, 'notes', 'n1')).toEqual({ id: 'n1', text: 'one' })
      }),
    )

    it.skipIf(!canRead)('treats a replay of the same batch as harmless', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('replay')
        const pushed = await pushAll(adapter, userId, [change('notes', 'r1', { id: 'r1', count: 1 })])
        await pushAll(adapter, userId, [change('notes', 'r1', { id: 'r1', count: 2 })])
        const replay = await adapter.push(pushed, context(userId))
        expect(replay.accepted).toEqual(pushed.changes.map((item) => item.changeId))
        expect(await readBack(adapter, userId, 'notes', 'r1')).toMatchObject({ count: 2 })
      }),
    )

    it.skipIf(!capabilities.partialUpdates || skip.partialUpdates || !canRead)('applies partial updates', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('partial')
        await pushAll(adapter, userId, [change('notes', 'p1', { id: 'p1', title: 'T', body: 'B' })])
        await pushAll(adapter, userId, [change('notes', 'p1', { id: 'p1', title: 'T2', body: 'B' }, ['title'])])
        expect(await readBack(adapter, userId, 'notes', 'p1')).toEqual({ id: 'p1', title: 'T2', body: 'B' })
      }),
    )

    it.skipIf(!canRead)('deletes records', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('delete')
        await pushAll(adapter, userId, [change('notes', 'd1', { id: 'd1' })])
        await pushAll(adapter, userId, [change('notes', 'd1')])
        expect(await readBack(adapter, userId, 'notes', 'd1')).toBeUndefined()
      }),
    )

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

    it.skipIf(!pulls)('pulls what was pushed, page by page', () =>
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

    it.skipIf(!capabilities.backup || skip.backup)('stores a backup snapshot', () =>
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

    it.skipIf(!canRead || skip.keys)('round-trips keys with every allowed character', () =>
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

    describe.skipIf(!pulls)('pull', () => {
      it('pages every change in order with revisions, writer change ids and timestamps', () =>
        withAdapter(undefined, async (adapter) => {
          const userId = user('pull-pages')
          const pushed = [
            change('notes', 'g1', { id: 'g1', n: 1 }),
            change('notes', 'g2', { id: 'g2', n: 2 }),
            change('notes', 'g3', { id: 'g3', n: 3 }),
          ]
          await pushAll(adapter, userId, pushed)
          await pushAll(adapter, userId, [change('notes', 'g2')])
          const pulled = await pullEverything(adapter, userId, null, 1)
          for (const page of pulled.pages) expect(page.changes.length).toBeLessThanOrEqual(1)
          const byKey = new Map(pulled.changes.map((remote) => [remote.key, remote]))
          expect(byKey.get('g1')).toMatchObject({ op: 'put', value: { id: 'g1', n: 1 }, changeId: pushed[0]!.changeId })
          expect(byKey.get('g2')).toMatchObject({ op: 'delete' })
          for (const remote of pulled.changes) {
            expect(typeof remote.revision, 'revision').toBe('string')
            expect(remote.revision.length).toBeGreaterThan(0)
            expect(typeof remote.timestamp, 'timestamp').toBe('number')
          }
          // A key's last pulled version is its latest one: g1 before g3 as pushed, the delete of g2 after its put.
          const keys = pulled.changes.map((remote) => remote.key)
          expect(keys.lastIndexOf('g1')).toBeLessThan(keys.lastIndexOf('g3'))
          expect(new Set(pulled.changes.map((remote) => remote.revision)).size).toBe(pulled.changes.length)
        }))

      it('gives nothing new from the last cursor, then only what came after it', () =>
        withAdapter(undefined, async (adapter) => {
          const userId = user('pull-cursor')
          await pushAll(adapter, userId, [change('notes', 'c1', { id: 'c1' })])
          const first = await pullEverything(adapter, userId, null, 500)
          expect(first.cursor).not.toBeNull()
          const again = await pullEverything(adapter, userId, first.cursor, 500)
          expect(again.changes.filter((remote) => remote.key === 'c1')).toEqual([])
          await pushAll(adapter, userId, [change('notes', 'c2', { id: 'c2' })])
          const next = await pullEverything(adapter, userId, first.cursor, 500)
          expect(next.changes.map((remote) => remote.key)).toEqual(['c2'])
        }))

      it('pulls only the requesting user’s changes', () =>
        withAdapter(undefined, async (adapter) => {
          const alice = user('pull-alice')
          const bob = user('pull-bob')
          await pushAll(adapter, alice, [change('notes', 'private', { id: 'private', owner: 'alice' })])
          const pulled = await pullEverything(adapter, bob, null, 500)
          expect(pulled.changes).toEqual([])
        }))
    })

    describe.skipIf(!capabilities.conditionalWrites || skip.conditionalWrites || !canRead)('conditional writes', () => {
      it('names the revision of every accepted change and accepts a change based on it', () =>
        withAdapter(undefined, async (adapter) => {
          const userId = user('cond-ok')
          const created = { ...change('notes', 'k1', { id: 'k1', v: 1 }), baseRevision: null }
          const first = await adapter.push(batch(userId, [created]), context(userId))
          expect(first.accepted).toEqual([created.changeId])
          const revision = first.revisions?.[created.changeId]
          expect(typeof revision).toBe('string')
          const updated = { ...change('notes', 'k1', { id: 'k1', v: 2 }), baseRevision: revision! }
          const second = await adapter.push(batch(userId, [updated]), context(userId))
          expect(second.accepted).toEqual([updated.changeId])
          expect(second.revisions?.[updated.changeId]).not.toBe(revision)
          expect(await readBack(adapter, userId, 'notes', 'k1')).toMatchObject({ v: 2 })
        }))

      it('refuses a stale base as a conflict and applies the rest of the batch', () =>
        withAdapter(undefined, async (adapter) => {
          const userId = user('cond-stale')
          const created = { ...change('notes', 's1', { id: 's1', v: 1 }), baseRevision: null }
          const first = await adapter.push(batch(userId, [created]), context(userId))
          const base = first.revisions?.[created.changeId]
          const winner = { ...change('notes', 's1', { id: 's1', v: 2 }), baseRevision: base! }
          await adapter.push(batch(userId, [winner]), context(userId))
          const stale = { ...change('notes', 's1', { id: 's1', v: 3 }), baseRevision: base! }
          const fresh = { ...change('notes', 's2', { id: 's2' }), baseRevision: null }
          const result = await adapter.push(batch(userId, [stale, fresh]), context(userId))
          expect(result.accepted).toEqual([fresh.changeId])
          expect(result.rejected).toEqual([expect.objectContaining({ changeId: stale.changeId, reason: 'conflict' })])
          expect(await readBack(adapter, userId, 'notes', 's1')).toMatchObject({ v: 2 })
          expect(await readBack(adapter, userId, 'notes', 's2')).toMatchObject({ id: 's2' })
        }))

      it('refuses a create (base null) of a record that exists', () =>
        withAdapter(undefined, async (adapter) => {
          const userId = user('cond-null')
          await adapter.push(
            batch(userId, [{ ...change('notes', 'e1', { id: 'e1', v: 1 }), baseRevision: null }]),
            context(userId),
          )
          const again = { ...change('notes', 'e1', { id: 'e1', v: 9 }), baseRevision: null }
          const result = await adapter.push(batch(userId, [again]), context(userId))
          expect(result.rejected).toEqual([expect.objectContaining({ changeId: again.changeId, reason: 'conflict' })])
          expect(await readBack(adapter, userId, 'notes', 'e1')).toMatchObject({ v: 1 })
        }))
    })

    describe.skipIf(!capabilities.live || skip.live)('live', () => {
      it('hints when another client pushes, and stops after unsubscribe', () =>
        withAdapter(undefined, async (adapter) => {
          expect(typeof adapter.subscribe, 'capabilities.live needs subscribe()').toBe('function')
          const userId = user('live')
          const controller = new AbortController()
          let stoppedHints = 0
          let resolveHint!: () => void
          const hinted = new Promise<void>((resolve) => {
            resolveHint = resolve
          })
          const stay = adapter.subscribe!(context(userId, controller.signal), () => resolveHint())
          const stop = adapter.subscribe!(context(userId, controller.signal), () => stoppedHints++)
          try {
            // Give a stream-based adapter time to connect before the write it must hint about.
            await waitUntil(
              () =>
                adapter
                  .push(batch(userId, [change('notes', `l-${seq}`, { id: 'l' })]), otherContext(userId))
                  .then(() => hinted),
              20_000,
            )
            stop()
            const before = stoppedHints
            let resolveSecond!: () => void
            const second = new Promise<void>((resolve) => {
              resolveSecond = resolve
            })
            const third = adapter.subscribe!(context(userId, controller.signal), () => resolveSecond())
            await waitUntil(
              () =>
                adapter
                  .push(batch(userId, [change('notes', `l-${seq}`, { id: 'l' })]), otherContext(userId))
                  .then(() => second),
              20_000,
            )
            third()
            expect(stoppedHints).toBe(before)
          } finally {
            stay()
            controller.abort()
          }
        }))
    })

    describe.skipIf(!capabilities.backup || skip.backup)('restore', () => {
      it('restores the latest backup, or the one named', () =>
        withAdapter(undefined, async (adapter) => {
          expect(typeof adapter.restore, 'capabilities.backup needs restore()').toBe('function')
          const userId = user('restore')
          const snapshot = (backupId: string, text: string) => ({
            backupId,
            clientId: `conformance-${runId}`,
            userId,
            createdAt: 1_700_000_000_000,
            tables: { notes: [{ id: 'r1', text }], tags: [{ id: 't1' }] },
          })
          await adapter.backup!(snapshot(`first-${runId}`, 'old'), context(userId))
          await adapter.backup!(snapshot(`second-${runId}`, 'new'), context(userId))
          const latest = await adapter.restore!({ userId }, context(userId))
          expect(latest.snapshot?.backupId).toBe(`second-${runId}`)
          expect(latest.snapshot?.tables).toEqual({ notes: [{ id: 'r1', text: 'new' }], tags: [{ id: 't1' }] })
          const named = await adapter.restore!({ userId, backupId: `first-${runId}` }, context(userId))
          expect(named.snapshot?.tables.notes).toEqual([{ id: 'r1', text: 'old' }])
          const nobody = await adapter.restore!({ userId: user('restore-nobody') }, context(user('restore-nobody')))
          expect(nobody.snapshot).toBeNull()
        }))
    })

    it('stops on an aborted signal without acknowledging', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('abort')
        const controller = new AbortController()
        controller.abort()
        const outcome = await adapter
          .push(batch(userId, [change('notes', 'x1', { id: 'x1' })]), context(userId, controller.signal))
          .then(
            (result) => ({ acknowledged: result.accepted }),
            (error: unknown) => ({ error }),
          )
        expect(outcome, 'an aborted push rejects instead of acknowledging').toEqual({ error: expect.any(Error) })
      }))

    it.skipIf(!canRead)('stores nothing for a push aborted before it started', () =>
      withAdapter(undefined, async (adapter) => {
        const userId = user('abort-stored')
        const controller = new AbortController()
        controller.abort()
        await adapter
          .push(batch(userId, [change('notes', 'x2', { id: 'x2' })]), context(userId, controller.signal))
          .catch(() => {})
        expect(await readBack(adapter, userId, 'notes', 'x2')).toBeUndefined()
      }),
    )
  })
}
