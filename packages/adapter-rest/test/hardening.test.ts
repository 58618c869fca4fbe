import { afterEach, describe, expect, it } from 'vitest'
import { restAdapter } from '../src'
import { adapterContext, answer, batchOf, put, type ScriptedServer, startScriptedServer } from './support'

const servers: ScriptedServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})
async function serve(...parameters: Parameters<typeof startScriptedServer>) {
  const server = await startScriptedServer(...parameters)
  servers.push(server)
  return server
}
const acceptAll = (body: string) => ({
  accepted: (JSON.parse(body) as { changes: { changeId: string }[] }).changes.map((change) => change.changeId),
  rejected: [],
})

/** `{ d: { d: … } }` nested `levels` deep, the record itself being level 1. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true }
  for (let level = 2; level < levels; level++) value = { d: value }
  return { d: value }
}

describe('redirects are never followed (#14)', () => {
  it.each([
    ['push', 307],
    ['push', 308],
    ['pull', 302],
    ['backup', 301],
  ])('a %s answered %i names the Location and sends nothing there', async (operation, status) => {
    const elsewhere = await serve((request, response) => answer(response, 200, acceptAll(request.body)))
    const server = await serve((request, response) =>
      answer(response, status, '', { location: `${elsewhere.url}sync${request.url}?signature=secret` }),
    )
    const adapter = restAdapter({ baseUrl: server.url, getToken: () => 'token' })
    const context = adapterContext()
    const attempt =
      operation === 'push'
        ? adapter.push(batchOf([put('notes', 'n1')]), context)
        : operation === 'pull'
          ? adapter.pull!({ cursor: null, limit: 10, userId: 'u1' }, context)
          : adapter.backup!({ backupId: 'b', clientId: 'c1', userId: 'u1', createdAt: 1, tables: {} }, context)
    const error = await attempt.then(
      () => undefined,
      (failure: Error) => failure,
    )
    expect(error).toMatchObject({ kind: 'protocol', retryable: true })
    expect(error?.message).toContain(`redirected to ${elsewhere.url}sync/`)
    expect(error?.message).toContain('fix baseUrl')
    // The query of the Location (a signature, a token) is never shown.
    expect(error?.message).not.toContain('secret')
    expect(elsewhere.requests).toEqual([])
  })
})

describe('token refresh never sticks on an old token (#14)', () => {
  it('keeps the refreshed token while getToken still gives the old one, and refreshes again on a new 401', async () => {
    let valid = 'new'
    const server = await serve((request, response) =>
      request.headers.authorization === `Bearer ${valid}`
        ? answer(response, 200, acceptAll(request.body))
        : answer(response, 401, { error: { code: 'unauthorized', message: 'expired' } }),
    )
    const refreshed = ['new', 'newer']
    let refreshes = 0
    const adapter = restAdapter({
      baseUrl: server.url,
      // An app whose cache is never updated by the refresh: forceRefresh false keeps answering the old token.
      getToken: ({ forceRefresh }) => (forceRefresh ? refreshed[refreshes++] : 'old'),
    })
    const outcomes: string[] = []
    const pushOnce = () =>
      adapter.push(batchOf([put('notes', `n${outcomes.length}`)]), adapterContext()).then(
        () => outcomes.push('ok'),
        (error: { status?: number }) => outcomes.push(String(error.status)),
      )
    for (let round = 0; round < 6; round++) await pushOnce()
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok'])
    expect(refreshes).toBe(1)
    // The old token was sent once; every later request carried the refreshed one.
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      'Bearer old',
      ...Array.from({ length: 6 }, () => 'Bearer new'),
    ])
    valid = 'newer'
    for (let round = 0; round < 3; round++) await pushOnce()
    expect(outcomes.slice(6)).toEqual(['ok', 'ok', 'ok'])
    expect(refreshes).toBe(2)
    expect(server.requests.slice(7).map((request) => request.headers.authorization)).toEqual([
      'Bearer new',
      'Bearer newer',
      'Bearer newer',
      'Bearer newer',
    ])
  })
})

describe('deep values (#14)', () => {
  it.each([65, 20_000])('rejects a change nested %i deep alone and sends the rest', async (levels) => {
    const server = await serve((request, response) => answer(response, 200, acceptAll(request.body)))
    const deep = put('notes', 'deep', nested(levels))
    const fine = put('notes', 'fine')
    const result = await restAdapter({ baseUrl: server.url }).push(batchOf([deep, fine]), adapterContext())
    expect(result.accepted).toEqual([fine.changeId])
    expect(result.rejected).toEqual([{ changeId: deep.changeId, reason: 'value nests over 64 deep' }])
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]!.body).not.toContain('"deep"')
  })

  it('sends a change exactly 64 deep', async () => {
    const server = await serve((request, response) => answer(response, 200, acceptAll(request.body)))
    const change = put('notes', 'ok', nested(64))
    const result = await restAdapter({ baseUrl: server.url }).push(batchOf([change]), adapterContext())
    expect(result.accepted).toEqual([change.changeId])
  })
})
