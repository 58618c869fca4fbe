import { createAutoSync } from '@autosync/core'
import {
  type ConflictResolver,
  clientWins,
  lastWriteWins,
  mergeFields,
  serverWins,
  twoWay,
} from '@autosync/core/two-way'
import { createSyncServer, createTokenSigner, silentLogger } from '@autosync/server'
import { afterAll, describe, expect, it } from 'vitest'
import { restAdapter } from '../src'
import { openDeviceStorage, quiet } from './support/device-storage'
import { postgresLane, sqliteLane } from './support/server-lanes'

const signer = createTokenSigner('adapter-rest-conflicts-secret-0123456789ab')
const lanes = [sqliteLane(), await postgresLane()].filter((lane) => lane !== null)

const policies: [string, () => ConflictResolver, Record<string, unknown>][] = [
  // Device one pushes first; device two's push meets the newer revision and its pull resolves.
  ['serverWins', serverWins, { title: 'one', body: 'original' }],
  ['clientWins', clientWins, { title: 'original', body: 'two' }],
  // Device two wrote later (its clock is ahead): the later write wins.
  ['lastWriteWins', lastWriteWins, { title: 'original', body: 'two' }],
  // Different fields: both edits survive.
  ['mergeFields', mergeFields, { title: 'one', body: 'two' }],
]

for (const lane of lanes) {
  describe(`conflicts through the reference server on ${lane.name}`, async () => {
    const server = createSyncServer({ store: lane.store, verifier: signer.verify, logger: silentLogger })
    const { url } = await server.listen(0, '127.0.0.1')
    afterAll(async () => {
      await server.close()
      await lane.dispose()
    })

    async function device(userId: string, name: string, resolve: ConflictResolver, start: number) {
      const { storage, clock } = await openDeviceStorage(name, userId, start)
      const autoSync = createAutoSync({
        storage,
        adapter: restAdapter({ baseUrl: url, getToken: () => signer.sign(userId) }),
        userId,
        clock,
        logger: quiet,
        periodicSyncMs: 0,
        plugins: [twoWay({ resolve, live: false })],
      })
      return { storage, autoSync, note: () => storage.get('notes', 'n') }
    }

    it.each(policies)(
      '%s: two devices edit one note offline; both and the server end with its answer',
      async (_policy, resolver, expected) => {
        const userId = `conflict-${_policy}-${lane.name}`
        const one = await device(userId, `${userId}-one`, resolver(), 1_000_000)
        const two = await device(userId, `${userId}-two`, resolver(), 2_000_000)
        await one.storage.put('notes', { id: 'n', userId, title: 'original', body: 'original' })
        await one.autoSync.syncNow()
        await two.autoSync.pull()
        // Offline, both edit the note: one the title, two the body (two's clock is later).
        await one.storage.update('notes', 'n', { title: 'one' })
        await two.storage.update('notes', 'n', { body: 'two' })
        // Both come back: one first, then two (its push meets the newer revision), then one pulls what two settled.
        await one.autoSync.syncNow()
        await two.autoSync.syncNow()
        await one.autoSync.syncNow()
        const answer = { id: 'n', userId, ...expected }
        expect(await one.note()).toEqual(answer)
        expect(await two.note()).toEqual(answer)
        const stored = await lane.store.readChangesAfter(userId, null, 10)
        expect(stored.find((record) => record.key === '"n"')?.value).toEqual(answer)
        expect(one.autoSync.getStatus().pendingChanges + two.autoSync.getStatus().pendingChanges).toBe(0)
        expect(two.autoSync.getStatus().conflicts).toBe(1)
        one.storage.close()
        two.storage.close()
      },
    )
  })
}
