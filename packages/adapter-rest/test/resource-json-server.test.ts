import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { restAdapter } from '../src'
import { adapterContext, batchOf, put, remove } from './support'
import { type RunningJsonServer, startJsonServer } from './support/json-server'

let api: RunningJsonServer
beforeEach(async () => {
  api = await startJsonServer({
    notes: [
      { id: 'n1', text: 'old', pinned: false, tags: ['a'] },
      { id: 'gone-soon', text: 'bye' },
    ],
    tags: [],
  })
})
afterEach(() => api.close())

describe('resource mode against json-server 0.17', () => {
  it('replaces with PUT, creates through POST when PUT finds nothing, and deletes', async () => {
    const adapter = restAdapter({ baseUrl: api.url, mode: 'resource', createWithPost: true, concurrency: 2 })
    const changes = [
      put('notes', 'n1', { text: 'replaced' }),
      put('notes', 'new one/ä', { text: 'created' }),
      put('tags', 7, { label: 'seven' }),
      remove('notes', 'gone-soon'),
      remove('notes', 'never-existed'),
    ]
    const result = await adapter.push(batchOf(changes), adapterContext())
    expect(result.rejected).toEqual([])
    expect([...result.accepted].sort()).toEqual(changes.map((change) => change.changeId).sort())
    expect(await api.get('/notes/n1')).toEqual({ status: 200, body: { id: 'n1', text: 'replaced' } })
    expect(await api.get(`/notes/${encodeURIComponent('new one/ä')}`)).toEqual({
      status: 200,
      body: { id: 'new one/ä', text: 'created' },
    })
    expect(await api.get('/tags/7')).toEqual({ status: 200, body: { id: 7, label: 'seven' } })
    expect((await api.get('/notes/gone-soon')).status).toBe(404)
  })

  it('sends a JSON merge patch of the changed fields with partialUpdates', async () => {
    const adapter = restAdapter({ baseUrl: api.url, mode: 'resource', partialUpdates: true })
    expect(adapter.capabilities.partialUpdates).toBe(true)
    // Only `text` changed, so only `text` travels; json-server merges it and keeps the other fields.
    const change = put('notes', 'n1', { text: 'patched', pinned: true }, ['text'])
    const result = await adapter.push(batchOf([change]), adapterContext())
    expect(result.accepted).toEqual([change.changeId])
    expect(await api.get('/notes/n1')).toEqual({
      status: 200,
      body: { id: 'n1', text: 'patched', pinned: false, tags: ['a'] },
    })
    // A field removed locally is `null` in a merge patch (json-server stores the null rather than removing it).
    const removal = put('notes', 'n1', { text: 'patched' }, ['tags'])
    expect((await adapter.push(batchOf([removal]), adapterContext())).accepted).toEqual([removal.changeId])
    expect(await api.get('/notes/n1')).toEqual({
      status: 200,
      body: { id: 'n1', text: 'patched', pinned: false, tags: null },
    })
  })

  it('rejects a create that the API cannot address without createWithPost, and accepts the rest', async () => {
    const adapter = restAdapter({ baseUrl: api.url, mode: 'resource' })
    const missing = put('notes', 'not-there', { text: 'x' })
    const existing = put('notes', 'n1', { text: 'ok' })
    const result = await adapter.push(batchOf([missing, existing]), adapterContext())
    expect(result.accepted).toEqual([existing.changeId])
    expect(result.rejected).toEqual([{ changeId: missing.changeId, reason: expect.stringContaining('PUT') }])
    expect(result.rejected![0]!.reason).toMatch(/\/notes\/not-there answered 404$/)
  })
})
