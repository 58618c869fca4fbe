import { createAutoSync } from '@autosync/core'
import { twoWay } from '@autosync/core/two-way'
import { createSyncServer, createTokenSigner, silentLogger } from '@autosync/server'
import { afterAll, describe, expect, it } from 'vitest'
import { restAdapter } from '../src'
import { openDeviceStorage, quiet } from './support/device-storage'
import { sqliteLane } from './support/server-lanes'

const signer = createTokenSigner('adapter-rest-replay-secret-0123456789abcdef')

describe('a batch replayed after a reload (issue #23: reload during a sync)', async () => {
  const lane = sqliteLane()
  const server = createSyncServer({ store: lane.store, verifier: signer.verify, logger: silentLogger })
  const { url } = await server.listen(0, '127.0.0.1')
  afterAll(async () => {
    await server.close()
    await lane.dispose()
  })

  it('is never a dead letter, though a pull taught the device base revisions between the first try and the replay', async () => {
    const userId = 'replay-user'
    const { storage, clock } = await openDeviceStorage('replay-device', userId, 1_000_000)
    let pushes = 0
    // The first push reaches the server and commits; its answer is lost, as when the page reloads mid-sync.
    const losingFirstAnswer: typeof fetch = async (input, init) => {
      const response = await fetch(input, init)
      if (String(input instanceof Request ? input.url : input).endsWith('/push') && ++pushes === 1) {
        throw new TypeError('fetch failed: the page went away')
      }
      return response
    }
    const engine = (fetchImplementation: typeof fetch) =>
      createAutoSync({
        storage,
        adapter: restAdapter({ baseUrl: url, getToken: () => signer.sign(userId), fetch: fetchImplementation }),
        userId,
        clock,
        logger: quiet,
        periodicSyncMs: 0,
        plugins: [twoWay({ live: false })],
      })
    const before = engine(losingFirstAnswer)
    await before.start()
    await storage.bulkPut(
      'notes',
      ['a', 'b', 'c'].map((id) => ({ id, userId, text: id })),
    )
    await before.syncNow()
    expect(await storage.outbox.count({ userId })).toBe(3)
    await before.stop()

    // "Reloaded": a new engine pulls first (its own echoes bring revisions), then replays the batch.
    const after = engine(fetch)
    await after.start()
    await clock.advance(0)
    await after.syncNow()
    expect(await storage.deadLetters.list()).toEqual([])
    expect(await storage.outbox.count({ userId })).toBe(0)
    expect(after.getStatus()).toMatchObject({ deadLetters: 0, pendingChanges: 0, lastError: null })
    // The server holds each note once, from the first try; the replay changed nothing there.
    const reader = restAdapter({ baseUrl: url, getToken: () => signer.sign(userId) })
    const page = await reader.pull!(
      { cursor: null, limit: 50, userId },
      { signal: new AbortController().signal, userId, clientId: 'reader', logger: quiet },
    )
    expect(page.changes.map((change) => change.key).sort()).toEqual(['a', 'b', 'c'])
    await after.stop()
    storage.close()
  })
})
