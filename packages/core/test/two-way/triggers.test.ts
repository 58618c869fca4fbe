import { afterEach, describe, expect, it } from 'vitest'
import { AdapterError } from '../../src/errors'
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

  it('pulls on every live hint at once: the push throttle never governs the receiving side', async () => {
    backend = await createBackend({ engine: { minIntervalMs: 5_000 } })
    const device = await backend.openDevice('a')
    await device.autoSync.start()
    await backend.clock.advance(10_000)
    backend.adapter.writeRemote('u1', remoteNote('at-once'))
    await backend.clock.advance(0)
    expect(Object.keys(await device.notes())).toEqual(['at-once'])
    // 100 ms after that pull, well inside minIntervalMs: the next hint pulls at once too.
    await backend.clock.advance(100)
    backend.adapter.writeRemote('u1', remoteNote('right-after'))
    await backend.clock.advance(0)
    expect(Object.keys(await device.notes()).sort()).toEqual(['at-once', 'right-after'])
  })

  it('coalesces hints: one pull in flight and one queued behind it, however many hints came', async () => {
    let hold: (() => void) | undefined
    let pulls = 0
    backend = await createBackend({
      adapter: {
        onPull: () => {
          pulls++
          if (pulls === 2) return new Promise<void>((resolve) => (hold = resolve))
        },
      },
    })
    const device = await backend.openDevice('a')
    await device.autoSync.start()
    await backend.clock.advance(0)
    expect(pulls).toBe(1)
    backend.adapter.writeRemote('u1', remoteNote('first'))
    await backend.clock.flush()
    expect(pulls).toBe(2)
    // Five hints while that pull is held: they become one pull after it, which brings all five.
    for (const id of ['h1', 'h2', 'h3', 'h4', 'h5']) backend.adapter.writeRemote('u1', remoteNote(id))
    await backend.clock.flush()
    expect(pulls).toBe(2)
    hold!()
    await backend.clock.advance(0)
    expect(pulls).toBe(3)
    expect(Object.keys(await device.notes()).sort()).toEqual(['first', 'h1', 'h2', 'h3', 'h4', 'h5'])
  })

  it('a pull run leaves the push throttle alone, and waits out a backoff like every sync', async () => {
    backend = await createBackend({ engine: { minIntervalMs: 5_000, bufferMs: 0 } })
    const device = await backend.openDevice('a')
    await device.autoSync.start()
    await backend.clock.advance(10_000)
    await device.storage.put('notes', { id: 'local-1', userId: 'u1' })
    await backend.clock.advance(0)
    expect(Object.keys(backend.serverNotes())).toEqual(['local-1'])
    const pushedAt = backend.clock.now()
    // A hint-driven pull 1 s later does not restart the 5 s throttle of pushes.
    await backend.clock.advance(1_000)
    backend.adapter.writeRemote('u1', remoteNote('hinted'))
    await backend.clock.advance(0)
    await device.storage.put('notes', { id: 'local-2', userId: 'u1' })
    await backend.clock.advance(pushedAt + 4_999 - backend.clock.now())
    expect(Object.keys(backend.serverNotes()).sort()).toEqual(['hinted', 'local-1'])
    await backend.clock.advance(1)
    expect(Object.keys(backend.serverNotes()).sort()).toEqual(['hinted', 'local-1', 'local-2'])
    // In backoff, a hint waits for the retry instead of hammering a failing backend.
    const failing = device.autoSync.adapter.pull!
    device.autoSync.adapter.pull = async () => {
      throw new AdapterError('[autosync] [memory] HTTP 503', { kind: 'server', retryable: true, status: 503 })
    }
    backend.adapter.writeRemote('u1', remoteNote('during-outage'))
    await backend.clock.advance(0)
    expect(device.autoSync.getStatus()).toMatchObject({ phase: 'backoff', consecutiveFailures: 1 })
    device.autoSync.adapter.pull = failing
    backend.adapter.writeRemote('u1', remoteNote('still-waiting'))
    await backend.clock.advance(0)
    expect(Object.keys(await device.notes())).not.toContain('still-waiting')
    await backend.clock.advance(device.autoSync.getStatus().nextSyncAt! - backend.clock.now())
    expect(Object.keys(await device.notes())).toEqual(expect.arrayContaining(['during-outage', 'still-waiting']))
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
  it('pulls at once after start, even when a sync ran before start()', async () => {
    backend = await createBackend()
    const device = await backend.openDevice('a')
    await device.autoSync.syncNow()
    backend.adapter.writeRemote('u1', remoteNote('before-start'))
    await device.autoSync.start()
    await backend.clock.advance(0)
    expect(Object.keys(await device.notes())).toEqual(['before-start'])
  })

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
