import { createAutoSync } from '@autosync/core'
import { createSyncServer, createTokenSigner, silentLogger } from '@autosync/server'
import { afterAll, expect, it } from 'vitest'
import { restAdapter } from '../src'
import { openDeviceStorage, quiet } from './support/device-storage'
import { sqliteLane } from './support/server-lanes'

const signer = createTokenSigner('adapter-rest-misconfiguration-secret-0123')
const lane = sqliteLane()
const server = createSyncServer({ store: lane.store, verifier: signer.verify, logger: silentLogger })
const { url } = await server.listen(0, '127.0.0.1')
afterAll(async () => {
  await server.close()
  await lane.dispose()
})

it('a wrong baseUrl dead-letters nothing; every change drains once the URL is fixed (#15)', async () => {
  const userId = 'misconfigured'
  const { storage, clock } = await openDeviceStorage('app', userId)
  const engine = (baseUrl: string) =>
    createAutoSync({
      storage,
      adapter: restAdapter({ baseUrl, getToken: () => signer.sign(userId), clock }),
      userId,
      clock,
      logger: quiet,
      periodicSyncMs: 0,
    })
  const wrong = engine(`${url}/v1/sync/`)
  await wrong.start()
  await storage.bulkPut(
    'notes',
    ['a', 'b', 'c'].map((id) => ({ id, userId, text: id })),
  )
  // Three attempts, each a 404 on /v1/sync/push: failed attempts, never dead letters.
  for (let attempt = 0; attempt < 3; attempt++) await wrong.syncNow().catch(() => {})
  const status = wrong.getStatus()
  expect(status.deadLetters).toBe(0)
  expect(status.pendingChanges).toBe(3)
  expect(status.consecutiveFailures).toBe(3)
  expect(status.lastError?.message).toMatch(
    /POST http:\/\/127\.0\.0\.1:\d+\/v1\/sync\/push answered 404 not-found: is baseUrl right\?/,
  )
  expect(await storage.deadLetters.list()).toEqual([])
  await wrong.stop()

  const fixed = engine(url)
  await fixed.start()
  await fixed.syncNow()
  expect(fixed.getStatus().pendingChanges).toBe(0)
  const pulled = await restAdapter({ baseUrl: url, getToken: () => signer.sign(userId) }).pull!(
    { cursor: null, limit: 10, userId },
    { signal: new AbortController().signal, userId, clientId: 'check', logger: quiet },
  )
  expect(pulled.changes.map((change) => change.key).sort()).toEqual(['a', 'b', 'c'])
  await fixed.stop()
  storage.close()
})
