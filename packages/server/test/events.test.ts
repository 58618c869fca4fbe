import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTokenSigner } from '../src/auth/token-signer'
import { defaultLimits, type SyncServerLimits } from '../src/limits'
import { createHintHub } from '../src/live/hint-hub'
import type { RouteContext } from '../src/routes/context'
import { handleEvents } from '../src/routes/events-route'
import { createSqliteStore } from '../src/store/sqlite-store'
import type { SyncStore } from '../src/store/sync-store'
import { postgresLane } from './support/backends'
import { openEvents } from './support/event-stream'
import { batch, change, push, startTestServer, type TestServer, uniqueUser } from './support/harness'

const opened: { close(): void }[] = []
let server: TestServer | undefined
let store: SyncStore | undefined
afterEach(async () => {
  for (const stream of opened.splice(0)) stream.close()
  await server?.close()
  await store?.close()
  server = store = undefined
})

async function start(limits: Partial<SyncServerLimits> = {}) {
  store = createSqliteStore()
  server = await startTestServer(store, { limits })
  return server
}
async function events(url: string, token: string | null) {
  const stream = await openEvents(url, token)
  opened.push(stream)
  return stream
}

describe('GET /events (SQLite, in process)', () => {
  it('hints a user’s streams after each committed push of that user, and only theirs; never record data', async () => {
    const { url, signer } = await start()
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    const aliceStream = await events(url, signer.sign(alice))
    const bobStream = await events(url, signer.sign(bob))
    expect(aliceStream.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await aliceStream.until(() => aliceStream.events().includes('ready'))
    await bobStream.until(() => bobStream.events().includes('ready'))
    await push(url, signer.sign(bob), batch([change({ seq: 1, value: { secret: 'bob-only' } })]))
    await push(url, signer.sign(alice), batch([change({ seq: 1, value: { secret: 'alice-only' } })]))
    await aliceStream.until(() => aliceStream.events().includes('hint'))
    await bobStream.until(() => bobStream.events().includes('hint'))
    expect(aliceStream.events()).toEqual(['ready', 'hint'])
    expect(bobStream.events()).toEqual(['ready', 'hint'])
    expect(aliceStream.received.join('\n')).not.toMatch(/secret|bob|alice-only/)
    // The hint names the pushing client (client-a in these batches), so that client can skip its own push.
    expect(aliceStream.received).toContain('event: hint\ndata: {"clientId":"client-a"}')
  })

  it('refuses a missing or forged token with 401', async () => {
    const { url } = await start()
    expect((await events(url, null)).response.status).toBe(401)
    const forged = createTokenSigner('another-secret-of-at-least-32-bytes!!').sign('alice')
    expect((await events(url, forged)).response.status).toBe(401)
  })

  it('refuses a stream past the per-user and per-instance limits with 429 and Retry-After', async () => {
    const { url, signer } = await start({ maxStreamsPerUser: 2, maxStreams: 3 })
    const token = signer.sign('many')
    const first = await events(url, token)
    const second = await events(url, token)
    await first.until(() => first.events().includes('ready'))
    await second.until(() => second.events().includes('ready'))
    const third = await events(url, token)
    expect(third.response.status).toBe(429)
    expect(third.response.headers.get('retry-after')).toBe('5')
    expect(((await third.response.json()) as { error: { message: string } }).error.message).toContain('this user')
    const other = await events(url, signer.sign('other'))
    await other.until(() => other.events().includes('ready'))
    const fourth = await events(url, signer.sign('fourth'))
    expect(fourth.response.status).toBe(429)
    // A stream that ends frees its place.
    first.close()
    let again = await events(url, token)
    while (again.response.status === 429) again = await events(url, token)
    expect(again.response.status).toBe(200)
  })

  it('sends heartbeats, ends an idle stream with bye, and ends every stream cleanly on shutdown', async () => {
    const { url, signer } = await start({ streamHeartbeatMs: 20, streamIdleMs: 400 })
    const idle = await events(url, signer.sign('idle'))
    await idle.until(() => idle.received.includes(': heartbeat'))
    await idle.untilEnded()
    expect(idle.events().at(-1)).toBe('bye')
    const live = await events(url, signer.sign('live'))
    await live.until(() => live.events().includes('ready'))
    await server!.close()
    await live.untilEnded()
    expect(live.events()).toEqual(['ready', 'bye'])
  })
})

describe('a long-lived stream', () => {
  it('outlives requestTimeoutMs: the timeout cuts slow uploads, not the answer of /events', async () => {
    const { url, signer } = await start({ headersTimeoutMs: 100, requestTimeoutMs: 200, streamHeartbeatMs: 100 })
    const stream = await events(url, signer.sign('long'))
    // Fifteen heartbeats are well past the 200 ms request timeout (checked every 100 ms).
    await stream.until(() => stream.received.filter((block) => block === ': heartbeat').length >= 15)
  })
})

describe('a client that never reads', () => {
  it('over a real socket, whose kernel buffers hide it: its stream ends after the byte budget and frees its place', async () => {
    // 4 KiB of hints is far less than the kernel buffers of a loopback socket, so writableLength alone stays ~0.
    const { url, signer } = await start({ maxStreamBufferBytes: 4096, maxStreamsPerUser: 1, streamCloseGraceMs: 50 })
    const userId = uniqueUser('never-reads')
    const token = signer.sign(userId)
    const { port } = new URL(url)
    const silent = connect({ host: '127.0.0.1', port: Number(port) })
    await new Promise<void>((resolve) => silent.once('connect', () => resolve()))
    // Connected and never read from again, as a frozen tab's socket.
    silent.pause()
    silent.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`)
    opened.push({ close: () => silent.destroy() })
    // The one place of this user is taken: a second stream is refused while the silent one is held.
    const refused = async () => (await events(url, token)).response.status
    let status = await refused()
    for (let tries = 0; status === 200 && tries < 50; tries++) status = await refused()
    expect(status).toBe(429)
    let pushes = 0
    // Each push hints the silent stream (~45 bytes); the budget is passed after ~90 of them.
    for (let seq = 1; status !== 200 && seq <= 400; seq++) {
      await push(url, token, batch([change({ seq, key: `k${seq}` })]))
      pushes = seq
      if (seq % 20 === 0) status = await refused()
    }
    expect(status).toBe(200)
    expect(pushes).toBeGreaterThan(80)
    expect(pushes).toBeLessThanOrEqual(140)
  })

  it('is cut once maxStreamBufferBytes wait for it, and its place is freed', async () => {
    // A response whose client stopped reading: everything written stays buffered.
    let buffered = 0
    let destroyed = false
    const response = {
      writeHead() {},
      write(text: string) {
        buffered += text.length
        return false
      },
      get writableLength() {
        return buffered
      },
      destroy() {
        destroyed = true
      },
      end() {},
      on() {},
      once() {},
    }
    const live = createHintHub({ maxStreamsPerUser: 8, maxStreams: 8 })
    const context = {
      request: { socket: { once() {} } },
      response,
      query: '',
      userId: 'slow',
      limits: { ...defaultLimits, maxStreamBufferBytes: 256, streamHeartbeatMs: 60_000 },
      live,
    } as unknown as RouteContext
    void handleEvents(context)
    expect(live.size).toBe(1)
    for (let hint = 0; hint < 20 && !destroyed; hint++) live.publish('slow', 'writer')
    expect(destroyed).toBe(true)
    expect(buffered).toBeLessThan(256 + 64)
    expect(live.size).toBe(0)
  })
})

const postgres = postgresLane('events')
describe.skipIf(!postgres)('GET /events across instances on one PostgreSQL (LISTEN/NOTIFY)', () => {
  it('a push committed through instance A hints a stream held by instance B; closing A ends its streams cleanly', async () => {
    const lane = postgres!
    const first = await startTestServer(await lane.openStore())
    const second = await startTestServer(await lane.openStore())
    try {
      const userId = uniqueUser('spread')
      const token = first.signer.sign(userId)
      const onSecond = await events(second.url, token)
      const onFirst = await events(first.url, token)
      await onSecond.until(() => onSecond.events().includes('ready'))
      await onFirst.until(() => onFirst.events().includes('ready'))
      await push(first.url, token, batch([change({ seq: 1 })]))
      await onSecond.until(() => onSecond.events().includes('hint'))
      await onFirst.until(() => onFirst.events().includes('hint'))
      // A push through B reaches A's stream too.
      await push(second.url, token, batch([change({ seq: 2, key: 'k2' })]))
      await onFirst.until(() => onFirst.events().filter((event) => event === 'hint').length === 2)
      // Instance A goes away mid-stream: its client hears bye and may reconnect to B, which still hints.
      await first.close()
      await onFirst.untilEnded()
      expect(onFirst.events().at(-1)).toBe('bye')
      const moved = await events(second.url, token)
      await moved.until(() => moved.events().includes('ready'))
      await push(second.url, token, batch([change({ seq: 3, key: 'k3' })]))
      await moved.until(() => moved.events().includes('hint'))
    } finally {
      await first.close()
      await second.close()
      await lane.dispose()
    }
  })
})
