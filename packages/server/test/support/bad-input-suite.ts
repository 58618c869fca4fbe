import { beforeAll, describe, expect, it } from 'vitest'
import type { BackendLane } from './backends'
import { batch, change, pullAll, push, type TestServer, uniqueUser, useLaneServer } from './harness'
import { rawRequest } from './raw-request'

const good = () => change({ seq: 1 })

/** Whole-request problems: [label, body, extra headers, status, code, field]. */
const requestRows: [string, () => Record<string, unknown> | string, Record<string, string>, number, string, string?][] =
  [
    ['malformed JSON', () => '{"batchId": "b", "changes": [', {}, 400, 'malformed-json'],
    ['a JSON array body', () => '[]', {}, 400, 'invalid-body', '(body)'],
    [
      'batchId of the wrong type',
      () => ({ ...batch([good()]), batchId: 5 }),
      { 'idempotency-key': '5' },
      400,
      'invalid-body',
      'batchId',
    ],
    ['changes not an array', () => ({ ...batch([]), changes: {} }), {}, 400, 'invalid-body', 'changes'],
    [
      'changeId holding U+0000',
      () => batch([{ ...good(), changeId: 'c\u0000' }]),
      {},
      400,
      'invalid-body',
      'changes[0].changeId',
    ],
    [
      'changeId holding a lone surrogate',
      () => batch([{ ...good(), changeId: 'c:\ud800' }]),
      {},
      400,
      'invalid-body',
      'changes[0].changeId',
    ],
    [
      'clientId holding a lone surrogate',
      () => ({ ...batch([good()]), clientId: 'c\udc00' }),
      {},
      400,
      'invalid-body',
      'clientId',
    ],
    [
      'a change without a changeId',
      () => batch([{ ...good(), changeId: undefined }]),
      {},
      400,
      'invalid-body',
      'changes[0].changeId',
    ],
    [
      'one changeId twice in a batch',
      () => batch([good(), { ...good(), key: 'other' }]),
      {},
      400,
      'duplicate-change-id',
      'changes[1].changeId',
    ],
    ['an unknown top-level field', () => ({ ...batch([good()]), extra: 1 }), {}, 400, 'unknown-field', 'extra'],
    [
      'too many changes',
      () => batch(Array.from({ length: 51 }, (_, index) => change({ seq: index + 1, key: `k${index}` }))),
      {},
      413,
      'too-many-changes',
    ],
    ['text/plain content type', () => batch([good()]), { 'content-type': 'text/plain' }, 415, 'unsupported-media-type'],
    [
      'a non-UTF-8 charset',
      () => batch([good()]),
      { 'content-type': 'application/json; charset=latin1' },
      415,
      'unsupported-media-type',
    ],
    ['a missing Idempotency-Key', () => JSON.stringify(batch([good()])), {}, 400, 'invalid-idempotency-key'],
    [
      'an Idempotency-Key other than batchId',
      () => batch([good()]),
      { 'idempotency-key': 'other' },
      400,
      'invalid-idempotency-key',
    ],
  ]

/** Changes whose own fields are malformed, rejected one by one: [label, the bad change, the field its reason names]. */
const malformedRows: [string, Record<string, unknown>, string][] = [
  ['seq as a string', { ...change({ seq: 1 }), seq: '1' }, 'changes[0].seq'],
  ['negative seq', { ...change({ seq: 1 }), seq: -1 }, 'changes[0].seq'],
  ['baseRevision as a number', { ...change({ seq: 1 }), baseRevision: 7 }, 'changes[0].baseRevision'],
  ['fractional timestamp', { ...change({ seq: 1 }), timestamp: 1.5 }, 'changes[0].timestamp'],
  ['key of the wrong type', { ...change({ seq: 1 }), key: true }, 'changes[0].key'],
  ['an array key', { ...change({ seq: 1 }), key: ['a'] }, 'changes[0].key'],
  ['table of the wrong type', { ...change({ seq: 1 }), table: ['notes'] }, 'changes[0].table'],
  [
    'changedFields holding a lone surrogate',
    { ...change({ seq: 1 }), changedFields: ['a\ud800'] },
    'changes[0].changedFields',
  ],
  ['unknown op', { ...change({ seq: 1 }), op: 'upsert' }, 'changes[0].op'],
  ['changedFields not strings', { ...change({ seq: 1 }), changedFields: [1] }, 'changes[0].changedFields'],
  ['an unknown change field', { ...change({ seq: 1 }), extra: 1 }, 'changes[0].extra'],
]

const longKey = 'é'.repeat(257)
/** Per-change problems: [label, change, code]. */
const changeRows: [string, Record<string, unknown>, string][] = [
  ['table ..', change({ seq: 1, table: '..' }), 'invalid-table'],
  ['table .', change({ seq: 1, table: '.' }), 'invalid-table'],
  ['table with /', change({ seq: 1, table: 'notes/../users' }), 'invalid-table'],
  ['table with a control character', change({ seq: 1, table: 'no\u0000tes' }), 'invalid-table'],
  ['empty table', change({ seq: 1, table: '' }), 'invalid-table'],
  ['table of 65 characters', change({ seq: 1, table: 'n'.repeat(65) }), 'invalid-table'],
  ['key ..', change({ seq: 1, key: '..' }), 'invalid-key'],
  ['key .', change({ seq: 1, key: '.' }), 'invalid-key'],
  ['key with /', change({ seq: 1, key: '../etc/passwd' }), 'invalid-key'],
  ['key with \\', change({ seq: 1, key: 'a\\b' }), 'invalid-key'],
  ['key with NUL', change({ seq: 1, key: 'a\u0000b' }), 'invalid-key'],
  ['key with a C1 control', change({ seq: 1, key: 'a\u0085b' }), 'invalid-key'],
  ['key with a lone surrogate', change({ seq: 1, key: 'a\ud800b' }), 'invalid-key'],
  ['empty key', change({ seq: 1, key: '' }), 'invalid-key'],
  ['key over 512 bytes', change({ seq: 1, key: longKey }), 'invalid-key'],
  ['put without value', { ...change({ seq: 1 }), value: undefined }, 'invalid-value'],
  ['array value', change({ seq: 1, value: [1] }), 'invalid-value'],
  ['null value', change({ seq: 1, value: null }), 'invalid-value'],
  ['oversized record', change({ seq: 1, value: { text: 'x'.repeat(64 * 1024) } }), 'record-too-large'],
  ['a value string holding U+0000', change({ seq: 1, value: { text: 'a\u0000b' } }), 'invalid-value'],
  ['a value string holding a lone surrogate', change({ seq: 1, value: { text: 'a\udc00b' } }), 'invalid-value'],
  ['a value key holding a lone surrogate', change({ seq: 1, value: { 'k\ud800': 1 } }), 'invalid-value'],
]

/** Every bad input answers 4xx (or rejects the change) and stores nothing. */
export function describeBadInput(lane: BackendLane): void {
  describe(`bad input on ${lane.name}`, () => {
    const laneServer = useLaneServer(lane)
    let server: TestServer
    beforeAll(() => {
      server = laneServer.current()
    })

    it.each(requestRows)('refuses %s', async (_label, body, headers, status, code, field) => {
      const token = server.signer.sign(uniqueUser('bad'))
      const answer = await push(server.url, token, body(), headers)
      expect(answer.status).toBe(status)
      expect(answer.json.error.code).toBe(code)
      if (field) expect(answer.json.error.details.field).toBe(field)
      expect(await pullAll(server.url, token)).toEqual([])
    })

    it('refuses a body that is not UTF-8', async () => {
      const token = server.signer.sign(uniqueUser('utf8'))
      const response = await fetch(`${server.url}/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'b' },
        body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      })
      expect(response.status).toBe(400)
      expect((await response.json()).error.code).toBe('malformed-json')
    })

    it.each(malformedRows)(
      'rejects a change with %s alone and applies the rest of its batch',
      async (_label, bad, field) => {
        const token = server.signer.sign(uniqueUser('malformed'))
        const fine = change({ seq: 2, key: 'fine' })
        const answer = await push(server.url, token, batch([bad, fine]))
        expect(answer.status).toBe(200)
        expect(answer.json.accepted).toEqual([fine.changeId])
        expect(answer.json.rejected).toEqual([
          { changeId: bad.changeId, code: 'invalid-change', reason: expect.stringContaining(field) },
        ])
        expect((await pullAll(server.url, token)).map((record: { key: string }) => record.key)).toEqual(['fine'])
      },
    )

    it.each(changeRows)('rejects a change with %s and stores nothing for it', async (_label, bad, code) => {
      const token = server.signer.sign(uniqueUser('change'))
      const answer = await push(server.url, token, batch([bad]))
      expect(answer.status).toBe(200)
      expect(answer.json.accepted).toEqual([])
      expect(answer.json.rejected).toEqual([expect.objectContaining({ changeId: bad.changeId, code })])
      expect(await pullAll(server.url, token)).toEqual([])
    })

    it('rejects a partial update whose merged record is too large, keeping the stored one', async () => {
      const token = server.signer.sign(uniqueUser('merge'))
      await push(server.url, token, batch([change({ seq: 1, value: { a: 'x'.repeat(40_000) } })]))
      const grow = change({ seq: 2, value: { b: 'y'.repeat(40_000) }, changedFields: ['b'] })
      const answer = await push(server.url, token, batch([grow]))
      expect(answer.json.rejected).toEqual([expect.objectContaining({ code: 'record-too-large' })])
      expect(Object.keys((await pullAll(server.url, token))[0].value)).toEqual(['a'])
    })

    it('stores paired surrogates (emoji) and a text that merely spells \\ud800', async () => {
      const token = server.signer.sign(uniqueUser('pairs'))
      const value = { text: 'a😀b \\ud800', '😀': 1 }
      const answer = await push(server.url, token, batch([change({ seq: 1, value })]))
      expect(answer.json.rejected).toEqual([])
      expect((await pullAll(server.url, token))[0].value).toEqual(value)
    })

    it('stores a value whose text merely spells \\u0000', async () => {
      const token = server.signer.sign(uniqueUser('spelled'))
      const answer = await push(server.url, token, batch([change({ seq: 1, value: { text: 'a\\u0000b' } })]))
      expect(answer.json.rejected).toEqual([])
      expect((await pullAll(server.url, token))[0].value).toEqual({ text: 'a\\u0000b' })
    })

    it('drops __proto__, constructor and prototype keys without polluting Object.prototype', async () => {
      const token = server.signer.sign(uniqueUser('proto'))
      // The partial update below merges into a live record (a partial update of a missing one is a conflict).
      await push(server.url, token, batch([change({ seq: 1, key: 'p', value: { ok: 0 } })], { batchId: 'p0' }))
      const text =
        '{"batchId":"p1","clientId":"c","__proto__":{"polluted":1},"changes":[{"changeId":"c:1","table":"notes",' +
        '"key":"p","op":"put","seq":2,"timestamp":1,"changedFields":["ok","__proto__"],' +
        '"value":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"ok":1}}]}'
      const answer = await push(server.url, token, text, { 'idempotency-key': 'p1' })
      expect(answer.status).toBe(200)
      const [stored] = await pullAll(server.url, token)
      expect(stored.value).toEqual({ ok: 1 })
      expect(Object.hasOwn(stored.value, '__proto__')).toBe(false)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect(Object.prototype).not.toHaveProperty('polluted')
    })

    it.each([
      ['/push/../pull', 'GET', 404, 'not-found'],
      ['//push', 'POST', 404, 'not-found'],
      ['/push/', 'POST', 404, 'not-found'],
      ['/push%2F', 'POST', 404, 'not-found'],
      ['/PUSH', 'POST', 404, 'not-found'],
      ['/backup/..', 'GET', 400, 'invalid-path'],
      ['/backup/%2e%2e', 'GET', 400, 'invalid-path'],
      ['/backup/a%2Fb', 'GET', 400, 'invalid-path'],
      ['/backup/a%5Cb', 'GET', 400, 'invalid-path'],
      ['/backup/%00', 'GET', 400, 'invalid-path'],
      ['/backup/%E0%A4%A', 'GET', 400, 'invalid-path'],
      ['/backup/latest/../x', 'GET', 404, 'not-found'],
      ['/pull', 'DELETE', 405, 'method-not-allowed'],
    ])('answers %s (%s) with %i', async (path, method, status, code) => {
      const token = server.signer.sign(uniqueUser('path'))
      const answer = await rawRequest(server.url, { method, path, headers: { authorization: `Bearer ${token}` } })
      expect(answer.status).toBe(status)
      expect(answer.json.error.code).toBe(code)
    })
  })
}
