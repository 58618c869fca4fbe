import 'fake-indexeddb/auto'
import { AdapterError, createAutoSync, openStorage, type PushBatch } from '@autosync/core'
import { createFakeClock } from '@autosync/core/testing'
import { twoWay } from '@autosync/core/two-way'
import { IDBFactory } from 'fake-indexeddb'
import { doc, getDoc, setDoc, terminate, writeBatch } from 'firebase/firestore'
import { afterAll, describe, expect, it } from 'vitest'
import { firestoreAdapter } from '../src'
import { toAdapterError } from '../src/errors'
import { startEmulator } from './support/emulator'
import { firestoreOn } from './support/firestore'

const emulator = await startEmulator()
const instances: ReturnType<typeof firestoreOn>[] = []
afterAll(async () => {
  await Promise.all(instances.map((instance) => terminate(instance)))
  emulator.stop()
})
const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const context = (userId: string, clientId = 'c1') => ({
  signal: new AbortController().signal,
  userId,
  clientId,
  logger: quiet,
})
function firestore() {
  const instance = firestoreOn(emulator)
  instances.push(instance)
  return instance
}
let seq = 0
const put = (key: string | number, value: Record<string, unknown> = {}) => {
  seq++
  return {
    changeId: `c1:${seq}`,
    table: 'notes',
    key,
    op: 'put' as const,
    value: { id: key, ...value },
    seq,
    timestamp: seq,
  }
}
const batchOf = (userId: string, changes: PushBatch['changes'], clientId = 'c1'): PushBatch => ({
  batchId: `b${++seq}`,
  clientId,
  userId,
  changes,
})

describe('firestoreAdapter on the emulator', () => {
  it('pushes 1,200 changes as 3 commits of at most 500', async () => {
    const adapter = firestoreAdapter({ firestore: firestore(), tables: ['notes'] })
    const changes = Array.from({ length: 1_200 }, (_, index) => put(`k${index}`, { index }))
    const before = emulator.commits()
    const result = await adapter.push(batchOf('bulk', changes), context('bulk'))
    expect(result.accepted).toHaveLength(1_200)
    expect(emulator.commits() - before).toBe(3)
  })

  it('a lost acknowledgement and a replay leave the same documents; an older change is not written again', async () => {
    const instance = firestore()
    const adapter = firestoreAdapter({ firestore: instance, tables: ['notes'] })
    const first = batchOf('replay', [put('r', { text: 'first' })])
    await adapter.push(first, context('replay'))
    const second = batchOf('replay', [put('r', { text: 'second' })])
    await adapter.push(second, context('replay'))
    // The first batch again, as after a lost answer: accepted, and the newer text stays.
    expect((await adapter.push(first, context('replay'))).accepted).toEqual([first.changes[0]!.changeId])
    expect((await getDoc(doc(instance, 'users/replay/notes/r'))).get('text')).toBe('second')
  })

  it('a second device pulls tombstones, and documents of one instant page neither skipped nor twice', async () => {
    const one = firestoreAdapter({ firestore: firestore(), tables: ['notes'] })
    const two = firestoreAdapter({ firestore: firestore(), tables: ['notes'] })
    // One commit: the three documents share one _updatedAt.
    await one.push(batchOf('instant', [put('a'), put('b'), put('c')]), context('instant'))
    seq++
    await one.push(
      batchOf('instant', [{ changeId: `c1:${seq}`, table: 'notes', key: 'b', op: 'delete', seq, timestamp: seq }]),
      context('instant'),
    )
    const seen: string[] = []
    let cursor: string | null = null
    for (let page = 0; page < 10; page++) {
      const response = await two.pull!({ cursor, limit: 1, userId: 'instant' }, context('instant', 'c2'))
      seen.push(...response.changes.map((change) => `${change.op}:${String(change.key)}`))
      cursor = response.cursor
      if (!response.hasMore) break
    }
    expect(seen.sort()).toEqual(['delete:b', 'put:a', 'put:c'])
    const again = await two.pull!({ cursor, limit: 10, userId: 'instant' }, context('instant', 'c2'))
    expect(again.changes).toEqual([])
  })

  it('refuses keys Firestore cannot address, one by one, and stores the rest', async () => {
    const adapter = firestoreAdapter({ firestore: firestore(), tables: ['notes'] })
    const bad = [put('a/b'), put('..'), put('__name__'), put('x'.repeat(1_501)), put('~n5')]
    const good = put('fine')
    const result = await adapter.push(batchOf('keys', [...bad, good]), context('keys'))
    expect(result.accepted).toEqual([good.changeId])
    expect(result.rejected?.map((entry) => entry.changeId)).toEqual(bad.map((change) => change.changeId))
    for (const entry of result.rejected ?? []) expect(entry.reason).toMatch(/^\[autosync\] \[firestore\] key/)
  })

  it('rejects a record over Firestore’s 1 MiB alone and pushes the rest', async () => {
    const adapter = firestoreAdapter({ firestore: firestore(), tables: ['notes'] })
    const huge = put('huge', { text: 'x'.repeat(1_100_000) })
    const small = put('small')
    const result = await adapter.push(batchOf('huge', [huge, small]), context('huge'))
    expect(result.accepted).toEqual([small.changeId])
    expect(result.rejected).toEqual([expect.objectContaining({ changeId: huge.changeId })])
  })

  // The SDK itself refuses `__proto__` fields (a name starting and ending with __): from Firestore they cannot come.
  it('pulls a document another client wrote without its constructor/prototype fields; one without _updatedAt is not pulled', async () => {
    const instance = firestore()
    const adapter = firestoreAdapter({ firestore: instance, tables: ['notes'] })
    await adapter.push(batchOf('foreign', [put('mine')]), context('foreign'))
    const raw = writeBatch(instance)
    raw.set(doc(instance, 'users/foreign/notes/odd'), { id: 'odd', prototype: { polluted: true }, ok: 1 })
    await raw.commit()
    await setDoc(doc(instance, 'users/foreign/notes/odd2'), {
      id: 'odd2',
      _updatedAt: new Date(),
      constructor: 'x',
      ok: 2,
    })
    const page = await adapter.pull!({ cursor: null, limit: 10, userId: 'foreign' }, context('foreign', 'c2'))
    expect(page.changes.map((change) => change.key).sort()).toEqual(['mine', 'odd2'])
    const odd2 = page.changes.find((change) => change.key === 'odd2')!
    expect(odd2.value).toEqual({ id: 'odd2', ok: 2 })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('restore skips a backup whose chunks were written but whose manifest never was (a crash mid-backup)', async () => {
    const instance = firestore()
    const adapter = firestoreAdapter({ firestore: instance, tables: ['notes'] })
    const snapshot = (backupId: string, text: string) => ({
      backupId,
      clientId: 'c1',
      userId: 'backups',
      createdAt: 1,
      tables: { notes: [{ id: 'n', text }] },
    })
    await adapter.backup!(snapshot('complete', 'kept'), context('backups'))
    // Only the chunk of a second backup arrived: no manifest, no "latest" pointer.
    await setDoc(doc(instance, 'users/backups/_autosync_backups/partial-0'), {
      text: JSON.stringify(snapshot('partial', 'lost')),
    })
    const latest = await adapter.restore!({ userId: 'backups' }, context('backups'))
    expect(latest.snapshot?.backupId).toBe('complete')
    expect((await adapter.restore!({ userId: 'backups', backupId: 'partial' }, context('backups'))).snapshot).toBeNull()
  })

  it('a push the SDK cannot deliver fails as a retryable timeout after timeoutMs, not when the SDK gives up', async () => {
    const gone = await startEmulator()
    const instance = firestoreOn(gone)
    instances.push(instance)
    const adapter = firestoreAdapter({ firestore: instance, tables: ['notes'], timeoutMs: 300 })
    gone.stop()
    const error = await adapter.push(batchOf('offline', [put('o')]), context('offline')).then(
      () => undefined,
      (failure: unknown) => failure,
    )
    expect(AdapterError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ kind: 'timeout', retryable: true })
  })

  it('maps Firestore error codes to AdapterError kinds', () => {
    const kinds = Object.fromEntries(
      [
        'permission-denied',
        'unauthenticated',
        'resource-exhausted',
        'unavailable',
        'deadline-exceeded',
        'invalid-argument',
        'internal',
      ].map((code) => {
        const error = toAdapterError({ code }, 'a push')
        return [code, [error.kind, error.retryable, error.retryAfterMs ?? null]]
      }),
    )
    expect(kinds).toEqual({
      'permission-denied': ['auth', false, null],
      unauthenticated: ['auth', false, null],
      'resource-exhausted': ['rate-limited', true, 60_000],
      unavailable: ['network', true, null],
      'deadline-exceeded': ['timeout', true, null],
      'invalid-argument': ['rejected', false, null],
      internal: ['server', true, null],
    })
    expect(AdapterError.isInstance(toAdapterError(new Error('x'), 'a pull'))).toBe(true)
  })
})

describe('two devices through Firestore with core', () => {
  it('converge live: a note written on one appears on the other without a pull', async () => {
    const device = async (name: string) => {
      const clock = createFakeClock({ start: Date.now() })
      const storage = await openStorage({
        name,
        version: 1,
        tables: { notes: { keyPath: 'id' } },
        userIdField: 'userId',
        indexedDB: new IDBFactory(),
        clock,
        broadcast: false,
        activeUserId: 'live',
        logger: quiet,
      })
      const autoSync = createAutoSync({
        storage,
        adapter: firestoreAdapter({ firestore: firestore(), tables: ['notes'] }),
        userId: 'live',
        clock,
        logger: quiet,
        periodicSyncMs: 0,
        plugins: [twoWay()],
      })
      await autoSync.start()
      return { storage, autoSync, clock }
    }
    const one = await device('one')
    const two = await device('two')
    const arrived = new Promise<void>((resolve) => {
      two.storage.events.onAny((event) => {
        if (event.origin === 'remote' && event.key === 'hello') resolve()
      })
    })
    await one.storage.put('notes', { id: 'hello', userId: 'live', text: 'from one' })
    await one.autoSync.syncNow()
    // The hint arrives through onSnapshot; device two's engine pulls on its (fake) clock.
    while (
      !(await Promise.race([arrived.then(() => true), new Promise((resolve) => setImmediate(() => resolve(false)))]))
    ) {
      await two.clock.advance(100)
    }
    expect(await two.storage.get('notes', 'hello')).toEqual({ id: 'hello', userId: 'live', text: 'from one' })
    await one.autoSync.stop()
    await two.autoSync.stop()
  })
})
