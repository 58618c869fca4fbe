import { afterEach, describe, expect, it } from 'vitest'
import { AdapterError, AutoSyncError } from '../../src/errors'
import { createBackend } from './devices'

let backend: Awaited<ReturnType<typeof createBackend>>
afterEach(() => backend?.closeAll())

describe('pull', () => {
  it('rejects pull() and restore() without the twoWay plugin', async () => {
    backend = await createBackend({ pushOnly: true })
    const device = await backend.openDevice('a')
    const pulled = await device.autoSync.pull().catch((error: unknown) => error)
    expect(AutoSyncError.isInstance(pulled) && pulled.code).toBe('pull-not-enabled')
    const restored = await device.autoSync.restore().catch((error: unknown) => error)
    expect(AutoSyncError.isInstance(restored) && restored.code).toBe('restore-not-enabled')
  })

  it('brings another device’s writes as remote events that are never queued for push', async () => {
    backend = await createBackend()
    const a = await backend.openDevice('a')
    const b = await backend.openDevice('b')
    await a.storage.put('notes', { id: 'n1', userId: 'u1', text: 'hello' })
    await a.storage.put('notes', { id: 'n2', userId: 'u1', text: 'world' })
    await a.autoSync.syncNow()
    expect(await b.autoSync.pull()).toEqual({ applied: 2, conflicts: 0 })
    expect(await b.notes()).toEqual(backend.serverNotes())
    expect(b.events.map((event) => [event.type, event.key, event.origin])).toEqual([
      ['create', 'n1', 'remote'],
      ['create', 'n2', 'remote'],
    ])
    expect(await b.pending()).toBe(0)
    const requests = backend.adapter.requests.length
    await b.autoSync.syncNow()
    expect(backend.adapter.requests.length).toBe(requests)
  })

  it('propagates deletes both ways', async () => {
    backend = await createBackend()
    const a = await backend.openDevice('a')
    const b = await backend.openDevice('b')
    await a.storage.bulkPut('notes', [
      { id: 'x', userId: 'u1' },
      { id: 'y', userId: 'u1' },
    ])
    await a.autoSync.syncNow()
    await b.autoSync.pull()
    await a.storage.delete('notes', 'x')
    await a.autoSync.syncNow()
    await b.autoSync.syncNow()
    expect(Object.keys(await b.notes())).toEqual(['y'])
    await b.storage.delete('notes', 'y')
    await b.autoSync.syncNow()
    await a.autoSync.syncNow()
    expect(await a.notes()).toEqual({})
    expect(backend.serverNotes()).toEqual({})
  })

  it('merges partial remote updates into the stored record', async () => {
    backend = await createBackend({ adapter: { pullPartial: true } })
    const a = await backend.openDevice('a')
    const b = await backend.openDevice('b')
    await a.storage.put('notes', { id: 'n', userId: 'u1', title: 'T', body: 'B' })
    await a.autoSync.syncNow()
    await b.autoSync.pull()
    backend.adapter.writeRemote('u1', {
      table: 'notes',
      key: 'n',
      op: 'put',
      value: { title: 'T2' },
      changedFields: ['title'],
    })
    await b.autoSync.pull()
    expect((await b.notes()).n).toEqual({ id: 'n', userId: 'u1', title: 'T2', body: 'B' })
  })

  it('fires no event for the device’s own echo and keeps the acknowledged revision as the next base', async () => {
    backend = await createBackend()
    const a = await backend.openDevice('a')
    await a.storage.put('notes', { id: 'n', userId: 'u1', text: 'one' })
    await a.autoSync.syncNow()
    const revision = backend.adapter.revisionOf('u1', 'notes', 'n')
    expect(a.events.filter((event) => event.origin === 'remote')).toEqual([])
    await a.storage.update('notes', 'n', { text: 'two' })
    await a.autoSync.syncNow()
    const last = backend.adapter.requests.at(-1)!
    expect(last.changes[0]).toMatchObject({ key: 'n', baseRevision: revision })
    expect(a.lifecycle.filter((event) => event.type === 'conflict-resolved')).toEqual([])
    expect(backend.serverNotes().n).toMatchObject({ text: 'two' })
  })

  it('sends baseRevision null for a record the device never saw', async () => {
    backend = await createBackend()
    const a = await backend.openDevice('a')
    await a.storage.put('notes', { id: 'fresh', userId: 'u1' })
    await a.autoSync.syncNow()
    expect(backend.adapter.requests[0]!.changes[0]!.baseRevision).toBeNull()
  })

  it('keeps an edit made during a pull: neither lost nor overwritten', async () => {
    backend = await createBackend({
      adapter: {
        onPull: async () => {
          if (!editDuringPull) return
          const edit = editDuringPull
          editDuringPull = undefined
          await edit()
        },
      },
    })
    let editDuringPull: (() => Promise<void>) | undefined
    const a = await backend.openDevice('a')
    const b = await backend.openDevice('b')
    await a.storage.put('notes', { id: 'n', userId: 'u1', text: 'from a' })
    await a.autoSync.syncNow()
    // The page was read before this edit: applying it must meet the edit as a conflict, and the later write wins.
    editDuringPull = async () => {
      await backend.clock.advance(1)
      await b.storage.put('notes', { id: 'n', userId: 'u1', text: 'from b, during the pull' })
    }
    await b.autoSync.pull()
    expect((await b.notes()).n).toMatchObject({ text: 'from b, during the pull' })
    expect(b.lifecycle.find((event) => event.type === 'conflict-resolved')).toMatchObject({ key: 'n', choice: 'local' })
    await b.autoSync.syncNow()
    await a.autoSync.pull()
    expect(backend.serverNotes().n).toMatchObject({ text: 'from b, during the pull' })
    expect(await a.notes()).toEqual(await b.notes())
  })

  it('persists the cursor per user: a user switch pulls the other user’s changes from its own cursor', async () => {
    backend = await createBackend()
    const a = await backend.openDevice('a')
    backend.adapter.writeRemote('u1', { table: 'notes', key: 'mine', op: 'put', value: { id: 'mine', userId: 'u1' } })
    backend.adapter.writeRemote('u2', {
      table: 'notes',
      key: 'theirs',
      op: 'put',
      value: { id: 'theirs', userId: 'u2' },
    })
    await a.autoSync.pull()
    expect(Object.keys(await a.notes())).toEqual(['mine'])
    expect(a.autoSync.getStatus().pullCursor).toBe('1')
    await a.autoSync.switchUser('u2')
    await a.autoSync.pull()
    expect(Object.keys(await a.notes()).sort()).toEqual(['mine', 'theirs'])
    expect(await a.storage.metadata.get('autosync.pullCursor.memory.u1')).toBe('1')
    expect(await a.storage.metadata.get('autosync.pullCursor.memory.u2')).toBe('1')
  })

  it('counts pull failures in the same backoff as pushes', async () => {
    let failPulls = true
    backend = await createBackend({
      adapter: {
        onPull: () => {
          if (failPulls) throw new AdapterError('down', { kind: 'server', retryable: true })
        },
      },
    })
    const a = await backend.openDevice('a')
    const failed = await a.autoSync.pull().catch((error: unknown) => error)
    expect(AutoSyncError.isInstance(failed)).toBe(true)
    expect(a.autoSync.getStatus()).toMatchObject({ consecutiveFailures: 1, isRetrying: true })
    expect(a.lifecycle.map((event) => event.type)).toContain('pull-failed')
    failPulls = false
    await a.autoSync.pull()
    expect(a.autoSync.getStatus()).toMatchObject({ consecutiveFailures: 0, pullProgress: null })
    expect(a.autoSync.getStatus().lastPullTime).toBe(backend.clock.now())
  })
})

describe('a lost acknowledgement', () => {
  it('the echo of exactly a pending change acknowledges it: it is not pushed again under another base', async () => {
    const { createBackend } = await import('./devices')
    const backend = await createBackend()
    const device = await backend.openDevice('a')
    const adapter = device.autoSync.adapter
    const push = adapter.push.bind(adapter)
    let pushes = 0
    // The backend stores the first push; its answer never arrives (a reload, a dropped connection).
    adapter.push = async (batch, context) => {
      const result = await push(batch, context)
      if (++pushes === 1) throw new Error('the answer was lost')
      return result
    }
    try {
      await device.storage.put('notes', { id: 'n1', userId: 'u1', text: 'once' })
      await device.autoSync.syncNow()
      expect(await device.pending()).toBe(1)
      // The page reloads: a new engine on the same database starts, and its first pull (at once, before the
      // buffered push of the backlog) brings the echo.
      await device.close()
      const reloaded = await backend.openDevice('a', device.indexedDB)
      await reloaded.autoSync.start()
      await backend.clock.advance(0)
      expect(await reloaded.pending()).toBe(0)
      await backend.clock.advance(60_000)
      // Nothing more was pushed: the change was already on the backend.
      expect(pushes).toBe(1)
      expect(backend.adapter.applied.filter((entry) => entry.change.key === 'n1')).toHaveLength(1)
      expect(reloaded.autoSync.getStatus()).toMatchObject({ pendingChanges: 0, deadLetters: 0 })
    } finally {
      await backend.closeAll()
    }
  })
})
