import { afterEach, describe, expect, it } from 'vitest'
import { AutoSyncError } from '../../src/errors'
import { crashAtPut, createBackend } from './devices'

let backend: Awaited<ReturnType<typeof createBackend>>
let restorePut: (() => void) | undefined
afterEach(async () => {
  restorePut?.()
  restorePut = undefined
  await backend?.closeAll()
})

describe('crash during apply', () => {
  it('leaves either the whole page and the new cursor, or neither', async () => {
    backend = await createBackend({ pageSize: 10 })
    for (let index = 0; index < 10; index++) {
      backend.adapter.writeRemote('u1', {
        table: 'notes',
        key: `n${index}`,
        op: 'put',
        value: { id: `n${index}`, userId: 'u1' },
      })
    }
    const device = await backend.openDevice('a')
    restorePut = crashAtPut(6)
    await expect(device.autoSync.pull()).rejects.toThrow('[autosync] [storage] pull failed')
    restorePut?.()
    expect(await device.notes()).toEqual({})
    expect(await device.storage.metadata.get('autosync.pullCursor.memory.u1')).toBeUndefined()
    expect(device.events).toEqual([])
    expect(await device.autoSync.pull()).toEqual({ applied: 10, conflicts: 0 })
    expect(Object.keys(await device.notes())).toHaveLength(10)
    expect(await device.storage.metadata.get('autosync.pullCursor.memory.u1')).toBe('10')
  })

  it('re-applies a page whose commit never happened after the database reopens', async () => {
    backend = await createBackend({ pageSize: 5 })
    for (let index = 0; index < 12; index++) {
      backend.adapter.writeRemote('u1', {
        table: 'notes',
        key: `m${index}`,
        op: 'put',
        value: { id: `m${index}`, userId: 'u1' },
      })
    }
    const first = await backend.openDevice('a')
    // A page of five writes eleven values (records, revisions, cursor): the 14th put is inside the second page.
    restorePut = crashAtPut(14)
    await expect(first.autoSync.pull()).rejects.toThrow('[autosync] [storage] pull failed')
    restorePut?.()
    // The first page committed with its cursor; the second did not.
    expect(Object.keys(await first.notes())).toHaveLength(5)
    await first.close()
    const reopened = await backend.openDevice('a again', first.indexedDB)
    await reopened.autoSync.pull()
    expect(Object.keys(await reopened.notes())).toHaveLength(12)
  })
})

describe('restore', () => {
  async function backedUp() {
    backend = await createBackend()
    const a = await backend.openDevice('a')
    await a.storage.bulkPut(
      'notes',
      Array.from({ length: 30 }, (_, index) => ({ id: `r${index}`, userId: 'u1', text: `note ${index}` })),
    )
    await a.storage.put('notes', { id: 'other-user', userId: 'u2' })
    await a.autoSync.syncNow()
    const result = await a.autoSync.backup()
    return { a, result }
  }

  it('brings every record back into a fresh database, then pulls what came after the backup', async () => {
    const { result } = await backedUp()
    backend.adapter.writeRemote('u1', { table: 'notes', key: 'after', op: 'put', value: { id: 'after', userId: 'u1' } })
    const fresh = await backend.openDevice('fresh')
    const outcome = await fresh.autoSync.restore()
    expect(outcome).toEqual({ backupId: result.backupId, records: 30 })
    const notes = await fresh.notes()
    expect(Object.keys(notes)).toHaveLength(31)
    expect(notes.r7).toEqual({ id: 'r7', userId: 'u1', text: 'note 7' })
    expect(notes.after).toBeDefined()
    expect(await fresh.pending()).toBe(0)
  })

  it('refuses while changes are pending and changes nothing, unless discardPending', async () => {
    const { a } = await backedUp()
    await a.storage.put('notes', { id: 'r1', userId: 'u1', text: 'unsent edit' })
    await a.storage.put('notes', { id: 'new', userId: 'u1' })
    const refused = await a.autoSync.restore().catch((error: unknown) => error)
    expect(AutoSyncError.isInstance(refused) && refused.code).toBe('restore-would-discard')
    expect((refused as Error).message).toBe(
      '[autosync] [restore] restoring would discard 2 pending changes of this user that never reached the backend; sync first, or pass discardPending: true to allow it',
    )
    expect((await a.notes()).r1).toMatchObject({ text: 'unsent edit' })
    expect(await a.pending()).toBe(2)
    await a.autoSync.restore({ discardPending: true })
    const notes = await a.notes()
    expect(notes.r1).toMatchObject({ text: 'note 1' })
    expect(notes.new).toBeUndefined()
    // Another user's records in the same database stay.
    expect(notes['other-user']).toEqual({ id: 'other-user', userId: 'u2' })
    expect(await a.pending()).toBe(0)
  })

  it('restores a named backup, and says so when there is none', async () => {
    const { a, result } = await backedUp()
    await a.storage.put('notes', { id: 'later', userId: 'u1' })
    await a.autoSync.syncNow()
    await a.autoSync.backup()
    await a.autoSync.restore({ backupId: result.backupId })
    expect(Object.keys(await a.notes())).toContain('later')
    const nobody = await backend.openDevice('nobody', undefined, 'u9')
    const missing = await nobody.autoSync.restore().catch((error: unknown) => error)
    expect(AutoSyncError.isInstance(missing) && missing.code).toBe('backup-not-found')
    expect((missing as Error).message).toBe(
      '[autosync] [restore] the "memory" adapter has no backup of this user; nothing was changed',
    )
    const named = await nobody.autoSync.restore({ backupId: 'b-404' }).catch((error: unknown) => error)
    expect((named as Error).message).toBe(
      '[autosync] [restore] the "memory" adapter has no backup "b-404"; nothing was changed',
    )
  })
})
