import { createFakeClock } from '@autosync/core/testing'
import { createSqliteStore, createSyncServer, createTokenSigner, silentLogger } from '@autosync/server'
import { afterEach, expect, it } from 'vitest'
import { restAdapter } from '../src'
import { adapterContext, batchOf, put } from './support'

const signer = createTokenSigner('adapter-rest-live-secret-0123456789abcdef')
const store = createSqliteStore()
const servers: ReturnType<typeof createSyncServer>[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})
async function serve(port = 0) {
  const server = createSyncServer({ store, verifier: signer.verify, logger: silentLogger })
  servers.push(server)
  return { server, ...(await server.listen(port, '127.0.0.1')) }
}

/** A batch another device pushed (a device's own pushes are not hinted back to it). */
const fromOther = (key: string) => ({ ...batchOf([put('notes', key)]), clientId: 'other' })

/** Counts hints and lets the test wait for the n-th one (the adapter's behaviour ends the wait). */
function hintCounter() {
  let count = 0
  const waiting: [number, () => void][] = []
  return {
    onHint: () => {
      count++
      for (const entry of waiting.filter(([target]) => count >= target)) {
        waiting.splice(waiting.indexOf(entry), 1)
        entry[1]()
      }
    },
    count: () => count,
    reached: (target: number) =>
      count >= target ? Promise.resolve() : new Promise<void>((resolve) => waiting.push([target, resolve])),
  }
}

it('hints once connected and after every push of the user, and stops after unsubscribe', async () => {
  const { url } = await serve()
  const adapter = restAdapter({ baseUrl: url, getToken: ({ userId }) => signer.sign(userId ?? 'u1') })
  const hints = hintCounter()
  const stop = adapter.subscribe!(adapterContext(), hints.onHint)
  // Connected: a pull now covers anything written while it was not.
  await hints.reached(1)
  await adapter.push(fromOther('a'), adapterContext({ clientId: 'other' }))
  await hints.reached(2)
  stop()
  await adapter.push(fromOther('b'), adapterContext({ clientId: 'other' }))
  // A second, still subscribed stream hears the next push; the stopped one never does.
  const later = hintCounter()
  const stopLater = adapter.subscribe!(adapterContext(), later.onHint)
  await later.reached(1)
  await adapter.push(fromOther('c'), adapterContext({ clientId: 'other' }))
  await later.reached(2)
  stopLater()
  expect(hints.count()).toBe(2)
})

it('reconnects with backoff after the server went away and pulls again (hints) once back', async () => {
  const first = await serve()
  const clock = createFakeClock()
  const adapter = restAdapter({ baseUrl: first.url, clock, random: () => 0, getToken: () => signer.sign('u1') })
  const hints = hintCounter()
  const stop = adapter.subscribe!(adapterContext(), hints.onHint)
  await hints.reached(1)
  await first.server.close()
  // The stream ended (bye): a reconnect is scheduled on the injected clock, and fails while nobody listens.
  while (clock.pending() === 0) await new Promise((resolve) => setImmediate(resolve))
  await clock.runNext()
  while (clock.pending() === 0) await new Promise((resolve) => setImmediate(resolve))
  expect(hints.count()).toBe(1)
  // The server is back on the same port: the next reconnect connects and hints, so core pulls what it missed.
  await serve(first.port)
  await clock.runNext()
  await hints.reached(2)
  await adapter.push(fromOther('back'), adapterContext({ clientId: 'other' }))
  await hints.reached(3)
  stop()
})

it('asks getToken for a fresh token after /events answered 401', async () => {
  const { url } = await serve()
  const clock = createFakeClock()
  const requests: boolean[] = []
  const adapter = restAdapter({
    baseUrl: url,
    clock,
    random: () => 0,
    getToken: ({ forceRefresh }) => {
      requests.push(forceRefresh)
      return forceRefresh ? signer.sign('u1') : 'expired-token'
    },
  })
  const hints = hintCounter()
  const stop = adapter.subscribe!(adapterContext(), hints.onHint)
  while (clock.pending() === 0) await new Promise((resolve) => setImmediate(resolve))
  await clock.runNext()
  await hints.reached(1)
  expect(requests).toEqual([false, true])
  stop()
})
