import { afterEach, describe, expect, it } from 'vitest'
import { restAdapter } from '../src'
import {
  adapterContext,
  answer,
  batchOf,
  put,
  recordingLogger,
  remove,
  type ScriptedServer,
  startScriptedServer,
} from './support'

let server: ScriptedServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** A server answering by record key: `status-<code>` answers that status, anything else 200. */
async function byKey(headers: Record<string, string> = {}) {
  server = await startScriptedServer((request, response) => {
    const status = Number(/status-(\d+)/.exec(request.url)?.[1] ?? 200)
    answer(response, status, status === 200 ? {} : { error: { code: `code-${status}`, message: 'x' } }, headers)
  })
  return server
}

describe('resource mode', () => {
  it('sends PUT with the full record and DELETE, on encoded paths under baseUrl', async () => {
    const { url, requests } = await byKey()
    const changes = [put('my notes', 'a/b?c#d', { text: 'x' }), remove('notes', 42)]
    const result = await restAdapter({ baseUrl: `${url}api/v2`, mode: 'resource' }).push(
      batchOf(changes),
      adapterContext(),
    )
    expect(result.accepted.sort()).toEqual(changes.map((change) => change.changeId).sort())
    const seen = requests.map((request) => `${request.method} ${request.url}`).sort()
    expect(seen).toEqual(['DELETE /api/v2/notes/42', 'PUT /api/v2/my%20notes/a%2Fb%3Fc%23d'])
    const body = requests.find((request) => request.method === 'PUT')!.body
    expect(JSON.parse(body)).toEqual({ id: 'a/b?c#d', text: 'x' })
  })

  it('rejects 404/409/422 per change, accepts a 404 on delete, and sends the others', async () => {
    await byKey()
    const notFound = put('notes', 'status-404')
    const conflict = put('notes', 'status-409')
    const invalid = put('notes', 'status-422')
    const alreadyGone = remove('notes', 'status-404')
    const fine = put('notes', 'fine')
    const result = await restAdapter({ baseUrl: server!.url, mode: 'resource' }).push(
      batchOf([notFound, conflict, invalid, alreadyGone, fine]),
      adapterContext(),
    )
    expect(result.accepted.sort()).toEqual([alreadyGone.changeId, fine.changeId].sort())
    expect(Object.fromEntries(result.rejected!.map((item) => [item.changeId, item.reason]))).toEqual({
      [notFound.changeId]: expect.stringMatching(/PUT .*\/notes\/status-404 answered 404 code-404$/),
      [conflict.changeId]: expect.stringMatching(/answered 409 code-409$/),
      [invalid.changeId]: expect.stringMatching(/answered 422 code-422$/),
    })
  })

  it('throws a retryable failure when nothing succeeded, with Retry-After', async () => {
    await byKey({ 'retry-after': '3' })
    const error = await restAdapter({ baseUrl: server!.url, mode: 'resource' })
      .push(batchOf([put('notes', 'status-503'), put('notes', 'status-429')]), adapterContext())
      .catch((failure: unknown) => failure)
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 3000 })
  })

  it('acks what succeeded before a retryable failure, leaves the rest pending and says so', async () => {
    await byKey()
    const first = put('notes', 'a')
    const failing = put('notes', 'status-500')
    const notStarted = put('notes', 'c')
    const logger = recordingLogger()
    // One at a time, so the order of requests is the order of changes.
    const result = await restAdapter({ baseUrl: server!.url, mode: 'resource', concurrency: 1 }).push(
      batchOf([first, failing, notStarted]),
      adapterContext({ logger }),
    )
    expect(result).toEqual({ accepted: [first.changeId], rejected: [] })
    expect(server!.requests).toHaveLength(2)
    expect(logger.calls).toEqual([
      [expect.stringMatching(/^\[autosync\] \[rest\] 1 of 3 changes sent; .* answered 500/)],
    ])
  })

  it.each([401, 403])('throws %i as auth even after other changes succeeded', async (status) => {
    await byKey()
    const error = await restAdapter({ baseUrl: server!.url, mode: 'resource', concurrency: 1 })
      .push(batchOf([put('notes', 'a'), put('notes', `status-${status}`)]), adapterContext())
      .catch((failure: unknown) => failure)
    expect(error).toMatchObject({ kind: 'auth', retryable: false, status })
  })

  it('refuses path tricks before any request and never leaves baseUrl', async () => {
    const { url, requests } = await byKey()
    const tricks = [put('notes', '..'), put('notes', '.'), put('..', 'x'), put('', 'x'), remove('.', 'x')]
    const result = await restAdapter({ baseUrl: `${url}api/`, mode: 'resource' }).push(
      batchOf(tricks),
      adapterContext(),
    )
    expect(result.accepted).toEqual([])
    expect(result.rejected!.map((item) => item.reason)).toEqual(tricks.map(() => expect.stringMatching(/^unsafe-path/)))
    const builder = restAdapter({
      baseUrl: `${url}api/`,
      mode: 'resource',
      path: (table, key) => (table === 'up' ? ['..', '..', 'admin'] : ['v1', table, 'items', String(key)]),
    })
    const climbing = put('up', 'x')
    const allowed = put('notes', '%2e%2e')
    const built = await builder.push(batchOf([climbing, allowed]), adapterContext())
    expect(built.rejected).toEqual([{ changeId: climbing.changeId, reason: expect.stringMatching(/^unsafe-path/) }])
    expect(built.accepted).toEqual([allowed.changeId])
    expect(requests.map((request) => request.url)).toEqual(['/api/v1/notes/items/%252e%252e'])
  })

  it('keeps at most `concurrency` requests in flight', async () => {
    await byKey()
    let inFlight = 0
    let most = 0
    const countingFetch: typeof fetch = async (input, init) => {
      inFlight += 1
      most = Math.max(most, inFlight)
      try {
        return await fetch(input, init)
      } finally {
        inFlight -= 1
      }
    }
    const changes = Array.from({ length: 9 }, (_, index) => put('notes', `n${index}`))
    const result = await restAdapter({
      baseUrl: server!.url,
      mode: 'resource',
      concurrency: 3,
      fetch: countingFetch,
    }).push(batchOf(changes), adapterContext())
    expect(result.accepted).toHaveLength(9)
    expect(most).toBe(3)
  })

  it('falls back to PUT when a merge patch cannot express the change', async () => {
    const { requests } = await byKey()
    const adapter = restAdapter({ baseUrl: server!.url, mode: 'resource', partialUpdates: true })
    await adapter.push(batchOf([put('notes', 'nested', { meta: { a: 1 } }, ['meta'])]), adapterContext())
    await adapter.push(batchOf([put('notes', 'null', { text: null }, ['text'])]), adapterContext())
    await adapter.push(batchOf([put('notes', 'flat', { text: 'x' }, ['text'])]), adapterContext())
    expect(requests.map((request) => `${request.method} ${request.headers['content-type']} ${request.body}`)).toEqual([
      'PUT application/json {"id":"nested","meta":{"a":1}}',
      'PUT application/json {"id":"null","text":null}',
      'PATCH application/json {"text":"x"}',
    ])
  })
})
