import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../src/store/sqlite-store'
import type { SyncStore } from '../src/store/sync-store'
import { getJson, startTestServer, type TestServer } from './support/harness'

// A real store whose database "goes away": every call fails the way pg fails on a refused connection.
function unreachable(store: SyncStore): SyncStore {
  const refuse = () =>
    Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))
  return { ...store, ping: refuse, readChangesAfter: refuse, runPushTransaction: refuse }
}

describe('database unavailable', () => {
  let store: SyncStore
  let server: TestServer
  beforeAll(async () => {
    store = createSqliteStore()
    server = await startTestServer(unreachable(store))
  })
  afterAll(async () => {
    await server.close()
    await store.close()
  })

  it('answers 503 with Retry-After on health and pull, without leaking the cause', async () => {
    for (const [path, token] of [
      ['/health', null],
      ['/pull', server.signer.sign('u1')],
    ] as const) {
      const answer = await getJson(`${server.url}${path}`, token)
      expect(answer.status).toBe(503)
      expect(answer.headers.get('retry-after')).toBe('1')
      expect(answer.json).toEqual({ error: { code: 'unavailable', message: 'the database is unavailable' } })
    }
  })
})
