import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../src/store/sqlite-store'
import type { SyncStore } from '../src/store/sync-store'
import { startTestServer, type TestServer } from './support/harness'

/** A raw TCP connection to the server, and a promise of what it received until the server closed it. */
function open(url: string): { socket: Socket; closed: Promise<string> } {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  let received = ''
  socket.on('data', (chunk) => {
    received += chunk.toString()
  })
  socket.on('error', () => {})
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)))
  return { socket, closed }
}

describe('bounded resources', () => {
  let store: SyncStore
  let server: TestServer
  beforeAll(async () => {
    store = createSqliteStore()
    server = await startTestServer(store, {
      limits: { headersTimeoutMs: 200, requestTimeoutMs: 400, maxConnections: 3, maxConcurrentBackups: 1 },
    })
  })
  afterAll(async () => {
    await server.close()
    await store.close()
  })

  it('cuts a body dripped byte by byte at requestTimeoutMs (408), instead of holding it for minutes', async () => {
    const { socket, closed } = open(server.url)
    const token = server.signer.sign('slow-client')
    socket.write(
      `POST /push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nIdempotency-Key: b\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    )
    // One more byte now and then keeps the socket busy, as a slow-loris client would; the server must still end it.
    const drip = setInterval(() => socket.write(' '), 50)
    try {
      expect(await closed).toMatch(/^HTTP\/1\.1 408/)
    } finally {
      clearInterval(drip)
    }
  })

  it('cuts a request whose headers never end at headersTimeoutMs', async () => {
    const { socket, closed } = open(server.url)
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    expect(await closed).toMatch(/^HTTP\/1\.1 408/)
  })

  it('refuses connections past maxConnections and keeps serving the others', async () => {
    const held = [open(server.url), open(server.url), open(server.url)]
    await Promise.all(held.map(({ socket }) => new Promise((resolve) => socket.once('connect', resolve))))
    const extra = open(server.url)
    // Node closes a connection over the cap at once, without an answer.
    expect(await extra.closed).toBe('')
    for (const { socket } of held) socket.destroy()
    await Promise.all(held.map(({ closed }) => closed))
    const health = await fetch(`${server.url}/health`)
    expect(health.status).toBe(200)
  })

  it('stores at most maxConcurrentBackups at once: one more is a 429 with Retry-After', async () => {
    const token = server.signer.sign('backup-user')
    const { socket, closed } = open(server.url)
    // A backup upload still streaming in holds the only slot.
    socket.write(
      `POST /backup HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"backupId":',
    )
    // The held upload reaches the route after its headers are parsed: ask until it holds the slot (it is cut
    // after requestTimeoutMs, so the loop is bounded by the server, not by a timer here).
    let busy: Response | undefined
    for (let attempt = 0; busy?.status !== 429 && !socket.destroyed; attempt++) {
      busy = await fetch(`${server.url}/backup`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ backupId: `second-${attempt}`, clientId: 'c', userId: null, createdAt: 1, tables: {} }),
      })
    }
    if (!busy) throw new Error('no backup was tried')
    expect(busy.status).toBe(429)
    expect(busy.headers.get('retry-after')).toBe('1')
    expect((await busy.json()).error.code).toBe('backups-busy')
    socket.destroy()
    await closed
  })
})
