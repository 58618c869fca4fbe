import { afterEach, describe, expect, it } from 'vitest'
import { createBackend } from './devices'

let backend: Awaited<ReturnType<typeof createBackend>>
afterEach(() => backend?.closeAll())

const remoteNote = (id: string) => ({ table: 'notes', key: id, op: 'put' as const, value: { id, userId: 'u1' } })

describe('pull triggers', () => {
  it('pulls once after start', async () => {
    backend = await createBackend()
    backend.adapter.writeRemote('u1', remoteNote('before-start'))
    const device = await backend.openDevice('a')
    await device.autoSync.start()
    await backend.clock.advance(0)
    expect(Object.keys(await device.notes())).toEqual(['before-start'])
    expect(device.autoSync.getStatus().lastPullTime).toBe(backend.clock.now())
  })

  it('pulls on a live hint at once, or minIntervalMs after the last pull ended', async () => {
    backend = await createBackend({ engine: { minIntervalMs: 5_000 } })
    const device = await backend.openDevice('a')
    await device.autoSync.start()
    await backend.clock.advance(10_000)
    backend.adapter.writeRemote('u1', remoteNote('at-once'))
    await backend.clock.advance(0)
    expect(Object.keys(await device.notes())).toEqual(['at-once'])
    const pulledAt = backend.clock.now()
    await backend.clock.advance(100)
    backend.adapter.writeRemote('u1', remoteNote('throttled'))
    await backend.clock.advance(0)
    expect(Object.keys(await device.notes())).toEqual(['at-once'])
    await backend.clock.advance(pulledAt + 4_999 - backend.clock.now())
    expect(Object.keys(await device.notes())).toEqual(['at-once'])
    await backend.clock.advance(1)
    expect(Object.keys(await device.notes()).sort()).toEqual(['at-once', 'throttled'])
  })

  it('without live hints, the periodic timer pulls with nothing pending', async () => {
    backend = await createBackend({ engine: { periodicSyncMs: 60_000, minIntervalMs: 1_000 } })
    const device = await backend.openDevice('a')
    await device.autoSync.start()
    await backend.clock.advance(0)
    device.autoSync.adapter.subscribe = undefined
    await device.autoSync.switchUser('u1-again')
    await device.autoSync.switchUser('u1')
    await backend.clock.advance(2_000)
    backend.adapter.writeRemote('u1', remoteNote('periodic'))
    await backend.clock.advance(30_000)
    expect(await device.notes()).toEqual({})
    await backend.clock.advance(60_000)
    expect(Object.keys(await device.notes())).toEqual(['periodic'])
  })

  it('pulls after every push cycle and syncNow() pushes then pulls', async () => {
    backend = await createBackend()
    const a = await backend.openDevice('a')
    backend.adapter.writeRemote('u1', remoteNote('remote'))
    await a.storage.put('notes', { id: 'local', userId: 'u1' })
    await a.autoSync.syncNow()
    expect(Object.keys(backend.serverNotes()).sort()).toEqual(['local', 'remote'])
    expect(Object.keys(await a.notes()).sort()).toEqual(['local', 'remote'])
  })

  it('stops pulling when the plugin is removed, and pull() says why', async () => {
    backend = await createBackend({ pushOnly: true })
    const device = await backend.openDevice('a')
    const { twoWay } = await import('../../src/two-way')
    const remove = device.autoSync.use(twoWay())
    backend.adapter.writeRemote('u1', remoteNote('with-plugin'))
    await device.autoSync.pull()
    remove()
    await expect(device.autoSync.pull()).rejects.toMatchObject({ code: 'pull-not-enabled' })
  })
})

describe('restarts', () => {
  it('keeps two-way sync after stop() and start()', async () => {
    backend = await createBackend()
    const device = await backend.openDevice('a')
    await device.autoSync.start()
    await device.autoSync.stop()
    await device.autoSync.start()
    backend.adapter.writeRemote('u1', remoteNote('after-restart'))
    expect(await device.autoSync.pull()).toEqual({ applied: 1, conflicts: 0 })
  })
})
