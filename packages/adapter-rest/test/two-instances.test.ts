import { createAutoSync } from '@autosync/core'
import { twoWay } from '@autosync/core/two-way'
import { createPostgresStore, createSyncServer, createTokenSigner, silentLogger } from '@autosync/server'
import { describe, expect, it } from 'vitest'
import { restAdapter } from '../src'
import { adapterContext } from './support'
import { openDeviceStorage, quiet } from './support/device-storage'
import { postgresLane } from './support/server-lanes'

const signer = createTokenSigner('adapter-rest-two-instances-secret-0123456')
const lane = await postgresLane()

describe.skipIf(!lane)('two server instances on one PostgreSQL', () => {
  it('devices on different instances converge; a live hint crosses instances; a restarted instance serves again', async () => {
    const url = process.env.AUTOSYNC_POSTGRES_URL!
    // Instance A on the lane's store, instance B on a second store (its own pool and LISTEN connection), one schema.
    const storeB = await createPostgresStore({ connectionString: url, schema: lane!.schema! })
    const first = createSyncServer({ store: lane!.store, verifier: signer.verify, logger: silentLogger })
    const second = createSyncServer({ store: storeB, verifier: signer.verify, logger: silentLogger })
    const a = await first.listen(0, '127.0.0.1')
    const b = await second.listen(0, '127.0.0.1')
    const userId = 'across'
    const device = async (name: string, baseUrl: string) => {
      const { storage, clock } = await openDeviceStorage(name, userId)
      const autoSync = createAutoSync({
        storage,
        adapter: restAdapter({ baseUrl, getToken: () => signer.sign(userId) }),
        userId,
        clock,
        logger: quiet,
        periodicSyncMs: 0,
        plugins: [twoWay({ live: false })],
      })
      return { storage, autoSync, notes: async () => (await storage.getAll('notes')).map((note) => note.id).sort() }
    }
    try {
      const one = await device('one', a.url)
      const two = await device('two', b.url)
      // A live stream held by B hears a push applied by A.
      let hinted!: () => void
      const hint = new Promise<void>((resolve) => {
        hinted = resolve
      })
      let connected = 0
      const listener = restAdapter({ baseUrl: b.url, getToken: () => signer.sign(userId) })
      const stop = listener.subscribe!(adapterContext({ userId, clientId: 'listener' }), () => {
        connected++
        if (connected >= 2) hinted()
      })
      while (connected === 0) await new Promise((resolve) => setImmediate(resolve))
      await one.storage.put('notes', { id: 'from-one', userId })
      await one.autoSync.syncNow()
      await hint
      stop()
      await two.autoSync.pull()
      expect(await two.notes()).toEqual(['from-one'])
      await two.storage.put('notes', { id: 'from-two', userId })
      await two.autoSync.syncNow()
      await one.autoSync.pull()
      expect(await one.notes()).toEqual(['from-one', 'from-two'])

      // Instance A stops with a write of device one still to push; restarted on its port, it takes the push.
      await first.close()
      await one.storage.put('notes', { id: 'while-down', userId })
      await one.autoSync.syncNow()
      expect(one.autoSync.getStatus().pendingChanges).toBe(1)
      const restarted = createSyncServer({ store: lane!.store, verifier: signer.verify, logger: silentLogger })
      await restarted.listen(a.port, '127.0.0.1')
      try {
        await one.autoSync.syncNow()
        await two.autoSync.pull()
        expect(await two.notes()).toEqual(['from-one', 'from-two', 'while-down'])
        expect(one.autoSync.getStatus().pendingChanges).toBe(0)
      } finally {
        await restarted.close()
      }
      one.storage.close()
      two.storage.close()
    } finally {
      await first.close()
      await second.close()
      await storeB.close()
      await lane!.dispose()
    }
  })
})
