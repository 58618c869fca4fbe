import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../src/store/sqlite-store'
import type { SyncStore } from '../src/store/sync-store'
import { pullAll, startTestServer, type TestServer } from './support/harness'

const hundredMegabytes = 100 * 1024 * 1024
const chunk = Buffer.alloc(1024 * 1024, 0x20)

interface UploadResult {
  status: number
  code: string
  bytesSentBeforeAnswer: number
}

/**
 * Streams up to 100 MB of JSON-looking bytes and stops sending as soon as the server answers.
 * `declareLength` sends Content-Length (the server may refuse before any byte); otherwise chunked.
 */
function upload(url: string, token: string, declareLength: boolean): Promise<UploadResult> {
  const { hostname, port } = new URL(url)
  const headers: Record<string, string | number> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'idempotency-key': 'huge',
  }
  if (declareLength) headers['content-length'] = hundredMegabytes
  return new Promise((resolve, reject) => {
    let sent = 0
    let answered = false
    const outgoing = request({ host: hostname, port, method: 'POST', path: '/push', headers })
    outgoing.on('response', (response) => {
      answered = true
      const bytesSentBeforeAnswer = sent
      const chunks: Buffer[] = []
      response.on('data', (data: Buffer) => chunks.push(data))
      response.on('end', () => {
        outgoing.destroy()
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        resolve({ status: response.statusCode ?? 0, code: body.error.code, bytesSentBeforeAnswer })
      })
    })
    outgoing.on('error', (error) => {
      if (!answered) reject(error)
    })
    if (declareLength) {
      outgoing.flushHeaders()
      return
    }
    const writeMore = () => {
      while (!answered && sent < hundredMegabytes) {
        sent += chunk.length
        if (!outgoing.write(chunk)) return void outgoing.once('drain', writeMore)
      }
      if (!answered) outgoing.end()
    }
    outgoing.write('{"batchId":"huge","clientId":"c","changes":[],"pad":"')
    writeMore()
  })
}

describe('request body limit', () => {
  let store: SyncStore
  let server: TestServer
  beforeAll(async () => {
    store = createSqliteStore()
    server = await startTestServer(store)
  })
  afterAll(async () => {
    await server.close()
    await store.close()
  })

  it('refuses a declared 100 MB body before reading any of it', async () => {
    const token = server.signer.sign('big-declared')
    const result = await upload(server.url, token, true)
    expect(result).toEqual({ status: 413, code: 'body-too-large', bytesSentBeforeAnswer: 0 })
  })

  it('refuses a streamed 100 MB body while it streams, without buffering it', async () => {
    const token = server.signer.sign('big-streamed')
    const memoryBefore = process.memoryUsage()
    const result = await upload(server.url, token, false)
    const memoryAfter = process.memoryUsage()
    expect(result.status).toBe(413)
    expect(result.code).toBe('body-too-large')
    // Answered after the 5 MiB limit plus what the socket buffers held, far from 100 MB.
    expect(result.bytesSentBeforeAnswer).toBeGreaterThan(5 * 1024 * 1024)
    expect(result.bytesSentBeforeAnswer).toBeLessThan(40 * 1024 * 1024)
    const grownBytes =
      memoryAfter.heapUsed + memoryAfter.arrayBuffers - (memoryBefore.heapUsed + memoryBefore.arrayBuffers)
    expect(grownBytes).toBeLessThan(50 * 1024 * 1024)
    expect(await pullAll(server.url, token)).toEqual([])
  })

  it('still serves other requests afterwards', async () => {
    const health = await fetch(`${server.url}/health`)
    expect(health.status).toBe(200)
  })
})
