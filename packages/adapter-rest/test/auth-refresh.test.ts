import { afterEach, describe, expect, it } from 'vitest'
import type { TokenRequest } from '../src'
import { restAdapter } from '../src'
import { adapterContext, answer, batchOf, put, type ScriptedServer, startScriptedServer } from './support'

let server: ScriptedServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** A server that accepts only `Bearer <valid>` and a token source that refreshes to a given token. */
async function setup(validToken: string, refreshedTo: string) {
  let current = 'stale'
  const refreshes: TokenRequest[] = []
  server = await startScriptedServer((request, response) => {
    if (request.headers.authorization !== `Bearer ${validToken}`) {
      return answer(response, 401, { error: { code: 'unauthorized', message: 'expired' } })
    }
    const { changes } = JSON.parse(request.body) as { changes: { changeId: string }[] }
    answer(response, 200, { accepted: changes.map((change) => change.changeId), rejected: [] })
  })
  const getToken = async (request: TokenRequest) => {
    if (request.forceRefresh) {
      refreshes.push(request)
      // The refresh takes a while, so every concurrent 401 arrives while it is in flight or after.
      await new Promise((resolve) => setImmediate(resolve))
      current = refreshedTo
    }
    return current
  }
  return { adapter: restAdapter({ baseUrl: server.url, getToken }), refreshes, server }
}

describe('auth refresh', () => {
  it('refreshes once on 401 and repeats the request with the new token', async () => {
    const { adapter, refreshes, server } = await setup('fresh', 'fresh')
    const change = put('notes', 'n1')
    const result = await adapter.push(batchOf([change]), adapterContext())
    expect(result.accepted).toEqual([change.changeId])
    expect(refreshes).toEqual([{ forceRefresh: true, userId: 'u1' }])
    expect(server.requests.map((request) => request.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh'])
  })

  it('shares one refresh among concurrent requests that got 401 with the same token', async () => {
    const { adapter, refreshes, server } = await setup('fresh', 'fresh')
    const batches = Array.from({ length: 8 }, (_, index) => batchOf([put('notes', `n${index}`)]))
    const results = await Promise.all(batches.map((batch) => adapter.push(batch, adapterContext())))
    expect(results.map((result) => result.accepted)).toEqual(batches.map((batch) => [batch.changes[0]!.changeId]))
    expect(refreshes).toHaveLength(1)
    expect(server.requests.filter((request) => request.headers.authorization === 'Bearer stale')).toHaveLength(8)
    expect(server.requests.filter((request) => request.headers.authorization === 'Bearer fresh')).toHaveLength(8)
  })

  it('turns a second 401 into a non-retryable auth error without refreshing again', async () => {
    const { adapter, refreshes, server } = await setup('never-issued', 'also-wrong')
    const error = await adapter
      .push(batchOf([put('notes', 'n1')]), adapterContext())
      .catch((failure: unknown) => failure)
    expect(error).toMatchObject({ kind: 'auth', retryable: false, status: 401 })
    expect(refreshes).toHaveLength(1)
    expect(server.requests).toHaveLength(2)
  })

  it('lets a failed refresh fail that push and tries a new refresh on the next 401', async () => {
    let refreshCalls = 0
    server = await startScriptedServer((_, response) =>
      answer(response, 401, { error: { code: 'unauthorized', message: 'no' } }),
    )
    const adapter = restAdapter({
      baseUrl: server.url,
      getToken: ({ forceRefresh }) => {
        if (!forceRefresh) return 'stale'
        refreshCalls += 1
        throw new Error('identity provider unreachable')
      },
    })
    await expect(adapter.push(batchOf([put('notes', 'n1')]), adapterContext())).rejects.toThrow(
      'identity provider unreachable',
    )
    await expect(adapter.push(batchOf([put('notes', 'n2')]), adapterContext())).rejects.toThrow(
      'identity provider unreachable',
    )
    expect(refreshCalls).toBe(2)
  })

  it('sends no Authorization header without getToken, and a 401 is then an auth error at once', async () => {
    server = await startScriptedServer((_, response) =>
      answer(response, 401, { error: { code: 'unauthorized', message: 'no' } }),
    )
    const error = await restAdapter({ baseUrl: server.url, headers: { 'x-app': 'notes' } })
      .push(batchOf([put('notes', 'n1')]), adapterContext())
      .catch((failure: unknown) => failure)
    expect(error).toMatchObject({ kind: 'auth', retryable: false })
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]!.headers.authorization).toBeUndefined()
    expect(server.requests[0]!.headers['x-app']).toBe('notes')
  })
})

describe('auth refresh that repeats the refused token', () => {
  it('asks for a forced refresh again on a later 401 until the provider gives a token that works', async () => {
    const forced: number[] = []
    server = await startScriptedServer((request, response) => {
      if (request.headers.authorization !== 'Bearer good') {
        return answer(response, 401, { error: { code: 'unauthorized', message: 'expired' } })
      }
      const { changes } = JSON.parse(request.body) as { changes: { changeId: string }[] }
      answer(response, 200, { accepted: changes.map((change) => change.changeId), rejected: [] })
    })
    // The provider's cache still holds the expired token; its first forced refresh returns it again.
    const adapter = restAdapter({
      baseUrl: server.url,
      getToken: ({ forceRefresh }) => {
        if (!forceRefresh) return 'expired'
        forced.push(forced.length + 1)
        return forced.length === 1 ? 'expired' : 'good'
      },
    })
    const first = await adapter.push(batchOf([put('notes', 'n1')]), adapterContext()).catch((error: unknown) => error)
    expect(first).toMatchObject({ kind: 'auth', status: 401 })
    const change = put('notes', 'n2')
    const second = await adapter.push(batchOf([change]), adapterContext())
    expect(second.accepted).toEqual([change.changeId])
    expect(forced).toEqual([1, 2])
    // Once refreshed, the provider's stale answer is replaced by the refreshed token without another refresh.
    const third = put('notes', 'n3')
    expect((await adapter.push(batchOf([third]), adapterContext())).accepted).toEqual([third.changeId])
    expect(forced).toEqual([1, 2])
  })
})
