import { afterEach, describe, expect, it } from 'vitest'
import { restAdapter } from '../src'
import { adapterContext, answer, batchOf, put, remove, type ScriptedServer, startScriptedServer } from './support'

let server: ScriptedServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const snapshot = {
  backupId: 'b 1/ä',
  clientId: 'c1',
  userId: 'u1',
  createdAt: 1_700_000_000_000,
  tables: { notes: [{ id: 'n1', text: 'hello' }] },
}

describe('batch mode requests', () => {
  it('posts one batch with its Idempotency-Key and sends only changed fields of an update', async () => {
    server = await startScriptedServer((_, response) => answer(response, 200, { accepted: [], rejected: [] }))
    const update = put('notes', 'n1', { text: 'new', pinned: true }, ['text'])
    const removedField = put('notes', 'n2', { text: 'kept' }, ['title'])
    const deletion = remove('notes', 'n3')
    // A plugin's transform may leave the last value on a delete: it is not sent.
    const deletionWithValue = { ...remove('notes', 'n4'), value: { id: 'n4', secret: 'gone' } }
    const whole = put('notes', 'n5', { text: 'whole' })
    const batch = batchOf([update, removedField, deletion, deletionWithValue, whole], 'batch-42')
    await restAdapter({ baseUrl: `${server.url}sync/v1` }).push(batch, adapterContext())
    const [request] = server.requests
    expect(request!.method).toBe('POST')
    expect(request!.url).toBe('/sync/v1/push')
    expect(request!.headers['idempotency-key']).toBe('batch-42')
    expect(request!.headers['content-type']).toBe('application/json')
    expect(JSON.parse(request!.body)).toEqual({
      batchId: 'batch-42',
      clientId: 'c1',
      userId: 'u1',
      changes: [
        { ...update, value: { text: 'new' }, changedFields: ['text'] },
        // A removed field cannot be said by a shallow merge, so the whole record goes.
        { ...removedField, value: { id: 'n2', text: 'kept' }, changedFields: undefined },
        deletion,
        { ...deletionWithValue, value: undefined },
        whole,
      ].map((change) => JSON.parse(JSON.stringify(change))),
    })
  })

  it('pulls with cursor and limit and validates the answer', async () => {
    const changes = [
      { table: 'notes', key: 'n1', op: 'put', value: { id: 'n1' }, revision: '7', changeId: 'c2:1' },
      { table: 'notes', key: 2, op: 'delete', revision: '8' },
    ]
    server = await startScriptedServer((_, response) => answer(response, 200, { changes, cursor: '8', hasMore: false }))
    const adapter = restAdapter({ baseUrl: server.url })
    const result = await adapter.pull!({ cursor: 'abc+/=', limit: 100, userId: 'u1' }, adapterContext())
    expect(result).toEqual({ changes, cursor: '8', hasMore: false })
    expect(server.requests[0]!.url).toBe('/pull?cursor=abc%2B%2F%3D&limit=100')
    await adapter.pull!({ cursor: null, limit: 5, userId: 'u1' }, adapterContext())
    expect(server.requests[1]!.url).toBe('/pull?cursor=&limit=5')
  })

  it('refuses a pull answer with a malformed change', async () => {
    server = await startScriptedServer((_, response) =>
      answer(response, 200, { changes: [{ table: 'notes', key: {}, op: 'put' }], cursor: null, hasMore: false }),
    )
    const error = await restAdapter({ baseUrl: server.url }).pull!(
      { cursor: null, limit: 5, userId: 'u1' },
      adapterContext(),
    ).catch((failure: unknown) => failure)
    expect(error).toMatchObject({ kind: 'protocol' })
  })

  it('backs up with POST /backup and restores latest, by id, and 404 as no snapshot', async () => {
    server = await startScriptedServer((request, response) => {
      if (request.method === 'POST')
        return answer(response, 201, { backupId: snapshot.backupId, records: 1, location: '/backup/x' })
      if (request.url === '/backup/latest') return answer(response, 200, { snapshot })
      answer(response, 404, { error: { code: 'not-found', message: 'none' } })
    })
    const adapter = restAdapter({ baseUrl: server.url })
    const context = adapterContext()
    expect(await adapter.backup!(snapshot, context)).toEqual({
      backupId: snapshot.backupId,
      records: 1,
      location: '/backup/x',
    })
    expect(JSON.parse(server.requests[0]!.body)).toEqual(snapshot)
    expect(await adapter.restore!({ userId: 'u1' }, context)).toEqual({ snapshot })
    expect(await adapter.restore!({ userId: 'u1', backupId: 'b 1/ä' }, context)).toEqual({ snapshot: null })
    expect(server.requests[2]!.url).toBe('/backup/b%201%2F%C3%A4')
  })

  it('refuses a restore id that would leave the base path, before any request', async () => {
    server = await startScriptedServer((_, response) => answer(response, 200, { snapshot: null }))
    const adapter = restAdapter({ baseUrl: `${server.url}api/` })
    for (const backupId of ['..', '.']) {
      await expect(adapter.restore!({ userId: 'u1', backupId }, adapterContext())).rejects.toMatchObject({
        kind: 'rejected',
        retryable: false,
      })
    }
    expect(server.requests).toHaveLength(0)
  })

  it('drops __proto__ keys from answers', async () => {
    server = await startScriptedServer((_, response) =>
      answer(
        response,
        200,
        '{"changes":[{"table":"notes","key":"n1","op":"put","revision":"1","value":{"id":"n1","__proto__":{"polluted":true}}}],"cursor":"1","hasMore":false}',
      ),
    )
    const result = await restAdapter({ baseUrl: server.url }).pull!(
      { cursor: null, limit: 1, userId: 'u1' },
      adapterContext(),
    )
    const value = result.changes[0]!.value!
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.hasOwn(value, '__proto__')).toBe(false)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('reports its capabilities', () => {
    expect(restAdapter({ baseUrl: 'http://127.0.0.1/', maxBatchSize: 250, name: 'cloud' })).toMatchObject({
      name: 'cloud',
      specificationVersion: 'v1',
      capabilities: {
        maxBatchSize: 250,
        partialUpdates: true,
        pull: true,
        backup: true,
        conditionalWrites: true,
        live: true,
      },
    })
    expect(restAdapter({ baseUrl: 'http://127.0.0.1/', mode: 'resource' }).capabilities).toEqual({
      maxBatchSize: 500,
      partialUpdates: false,
      pull: false,
      backup: false,
      conditionalWrites: false,
      live: false,
    })
  })

  it('refuses invalid options by name', () => {
    expect(() => restAdapter({ baseUrl: 'http://127.0.0.1/', timeoutMs: 0 })).toThrow('invalid option timeoutMs')
    expect(() => restAdapter({ baseUrl: 'http://127.0.0.1/', mode: 'graphql' as 'batch' })).toThrow(
      'invalid option mode',
    )
    expect(() => restAdapter({ baseUrl: 'not a url' })).toThrow(TypeError)
  })
})
