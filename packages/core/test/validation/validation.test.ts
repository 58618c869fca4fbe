import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../src/errors'
import type { StorageEvent } from '../../src/types'
import { parseJsonSafely } from '../../src/validation/safe-json'
import { openTestStorage } from '../storage/test-helpers'

type TestStorage = Awaited<ReturnType<typeof openTestStorage>>

const circular: Record<string, unknown> = { id: 'c', userId: 'u1' }
circular.self = { back: circular }

/** `{ id, d: { d: … } }`: the record plus `levels - 1` nested objects (the record itself is level 1). */
function nested(id: string, levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true }
  for (let level = 2; level < levels; level++) value = { d: value }
  return { id, d: value }
}

class Note {
  id = 'k'
}

const badWrites: { name: string; write: (storage: TestStorage) => Promise<unknown>; expected: object }[] = [
  {
    name: 'unknown table',
    write: (s) => s.put('nope' as 'notes', { id: 'a' }),
    expected: { table: 'nope', field: 'table' },
  },
  { name: "key ''", write: (s) => s.put('notes', { id: '' }), expected: { table: 'notes', key: '', field: 'id' } },
  { name: "key '.'", write: (s) => s.put('notes', { id: '.' }), expected: { key: '.', field: 'id' } },
  { name: "key '..'", write: (s) => s.put('notes', { id: '..' }), expected: { key: '..' } },
  { name: 'key with /', write: (s) => s.put('notes', { id: 'a/b' }), expected: { key: 'a/b' } },
  { name: 'key with \\', write: (s) => s.put('notes', { id: 'a\\b' }), expected: { key: 'a\\b' } },
  {
    name: 'key with a control character',
    write: (s) => s.put('notes', { id: 'a\u0007b' }),
    expected: { key: 'a\u0007b' },
  },
  { name: 'key with DEL', write: (s) => s.put('notes', { id: 'a\u007fb' }), expected: { field: 'id' } },
  {
    name: 'key with a lone high surrogate',
    write: (s) => s.put('notes', { id: 'a\ud800b' }),
    expected: { field: 'id' },
  },
  { name: 'key with a lone low surrogate', write: (s) => s.put('notes', { id: '\udc00' }), expected: { field: 'id' } },
  {
    name: 'key over 512 UTF-8 bytes',
    write: (s) => s.put('notes', { id: '€'.repeat(171) }),
    expected: { field: 'id' },
  },
  { name: 'key NaN', write: (s) => s.put('notes', { id: Number.NaN }), expected: { field: 'id' } },
  {
    name: 'key that is an array in a strict table',
    write: (s) => s.put('notes', { id: ['a'] }),
    expected: { field: 'id' },
  },
  {
    name: 'missing key field',
    write: (s) => s.put('notes', { title: 'x' }),
    expected: { table: 'notes', field: 'id' },
  },
  { name: 'circular value', write: (s) => s.put('notes', circular), expected: { key: 'c', field: 'value.self.back' } },
  {
    name: 'a value nested 65 levels deep (maxDepth 64)',
    write: (s) => s.put('notes', nested('deep', 65)),
    expected: { key: 'deep', field: `value${'.d'.repeat(64)}` },
  },
  {
    // Deep enough to overflow a recursive check or JSON.stringify: still a ValidationError, never a RangeError.
    name: 'a value nested 20,000 levels deep',
    write: (s) => s.put('notes', nested('deeper', 20_000)),
    expected: { key: 'deeper', field: `value${'.d'.repeat(64)}` },
  },
  {
    name: 'function',
    write: (s) => s.put('notes', { id: 'f', run: () => 1 }),
    expected: { key: 'f', field: 'value.run' },
  },
  { name: 'symbol', write: (s) => s.put('notes', { id: 's', tag: Symbol('x') }), expected: { field: 'value.tag' } },
  { name: 'bigint', write: (s) => s.put('notes', { id: 'b', big: 1n }), expected: { field: 'value.big' } },
  {
    name: 'nested bigint',
    write: (s) => s.put('notes', { id: 'b', list: [1, { n: 2n }] }),
    expected: { field: 'value.list.1.n' },
  },
  {
    name: 'NaN value',
    write: (s) => s.put('notes', { id: 'n', count: Number.NaN }),
    expected: { field: 'value.count' },
  },
  { name: 'a Map', write: (s) => s.put('notes', { id: 'm', map: new Map() }), expected: { field: 'value.map' } },
  {
    name: 'value over maxRecordBytes (1 MiB)',
    write: (s) => s.put('notes', { id: 'big', text: 'x'.repeat(1024 * 1024) }),
    expected: { key: 'big', field: 'value' },
  },
  { name: 'non-object value (string)', write: (s) => s.put('notes', 'text' as never), expected: { field: 'value' } },
  { name: 'non-object value (array)', write: (s) => s.put('notes', [] as never), expected: { field: 'value' } },
  { name: 'non-object value (null)', write: (s) => s.put('notes', null as never), expected: { field: 'value' } },
  { name: 'class instance', write: (s) => s.put('notes', new Note() as never), expected: { field: 'value' } },
  {
    name: 'update of a missing key',
    write: (s) => s.update('notes', 'missing', { a: 1 }),
    expected: { key: 'missing' },
  },
  {
    name: 'update with a bigint',
    write: (s) => s.update('notes', 'existing', { big: 1n }),
    expected: { field: 'value.big' },
  },
  {
    name: 'update with non-object changes',
    write: (s) => s.update('notes', 'existing', 5 as never),
    expected: { field: 'changes' },
  },
  { name: 'add of an existing key', write: (s) => s.add('notes', { id: 'existing' }), expected: { key: 'existing' } },
  { name: 'delete with a bad key', write: (s) => s.delete('notes', 'a/b'), expected: { key: 'a/b' } },
  { name: 'get with a bad key', write: (s) => s.get('notes', ''), expected: { key: '' } },
  {
    name: 'bulkPut with one bad record among good ones',
    write: (s) => s.bulkPut('notes', [{ id: 'ok1' }, { id: 'bad', f: () => 1 }, { id: 'ok2' }]),
    expected: { key: 'bad' },
  },
  {
    name: 'a bad write inside a transaction',
    write: (s) =>
      s.transaction(['notes'], async (tx) => {
        await tx.put('notes', { id: 'ok' })
        await tx.put('notes', { id: 'bad', f: 1n })
      }),
    expected: { key: 'bad' },
  },
]

describe('bad input: a typed error naming table, key and field; nothing written; no event', () => {
  it('stores a record exactly 64 levels deep', async () => {
    const storage = await openTestStorage()
    storage.setActiveUser('u1')
    await storage.put('notes', nested('sixty-four', 64))
    expect(await storage.get('notes', 'sixty-four')).toEqual(nested('sixty-four', 64))
  })

  for (const row of badWrites) {
    it(row.name, async () => {
      const storage = await openTestStorage()
      storage.setActiveUser('u1')
      await storage.put('notes', { id: 'existing', text: 'kept' })
      await storage.outbox.acknowledge(await storage.outbox.read({ userId: 'u1' }))
      const events: StorageEvent[] = []
      storage.events.onAny((event) => events.push(event))
      const error = await row.write(storage).then(
        () => undefined,
        (caught) => caught,
      )
      expect(ValidationError.isInstance(error)).toBe(true)
      expect(error).toMatchObject(row.expected)
      expect(String(error.message)).toMatch(/^\[autosync\] \[storage\] /)
      expect(await storage.getAll('notes')).toEqual([{ id: 'existing', text: 'kept' }])
      expect(await storage.outbox.count()).toBe(0)
      expect(events).toEqual([])
      storage.close()
    })
  }

  it('a smaller maxRecordBytes counts UTF-8 bytes of the JSON', async () => {
    const storage = await openTestStorage({ maxRecordBytes: 100 })
    // 30 euro signs are 30 characters but 90 bytes: with the JSON around them the record is over 100 bytes.
    await expect(storage.put('notes', { id: 'a', text: '€'.repeat(30) })).rejects.toThrow(/maxRecordBytes/)
    await expect(storage.put('notes', { id: 'a', text: 'e'.repeat(30) })).resolves.toBeUndefined()
    storage.close()
  })

  it('strictKeys: false accepts any IndexedDB key in local tables; numbers are fine everywhere', async () => {
    const storage = await openTestStorage()
    await storage.put('local', { id: 'a/b\u0001' })
    await storage.put('local', { id: [1, 'x'] })
    await storage.put('notes', { id: 42 })
    expect(await storage.count('local')).toBe(2)
    await expect(storage.put('local', { id: { not: 'a key' } })).rejects.toThrow(/not a valid IndexedDB key/)
    storage.close()
  })

  it('undefined fields and Dates are accepted in synced tables (JSON drops or stringifies them)', async () => {
    const storage = await openTestStorage()
    await storage.put('notes', { id: 'a', userId: 'u1', gone: undefined, list: [undefined], at: new Date(0) })
    const [change] = await storage.outbox.read({ userId: 'u1' })
    expect(change?.value).toEqual({ id: 'a', userId: 'u1', list: [null], at: '1970-01-01T00:00:00.000Z' })
    storage.close()
  })
})

describe('bad options', () => {
  const rows: { name: string; options: object; field: string }[] = [
    { name: 'empty name', options: { name: '' }, field: 'options.name' },
    { name: 'version 0', options: { version: 0 }, field: 'options.version' },
    { name: 'negative version', options: { version: -1 }, field: 'options.version' },
    { name: 'fractional version', options: { version: 1.5 }, field: 'options.version' },
    { name: 'table without keyPath', options: { tables: { notes: {} } }, field: 'options.tables.notes.keyPath' },
    { name: 'no tables', options: { tables: {} }, field: 'options.tables' },
    {
      name: 'reserved table name',
      options: { tables: { __autosync_x: { keyPath: 'id' } } },
      field: 'options.tables.__autosync_x',
    },
    { name: 'negative maxRecordBytes', options: { maxRecordBytes: -1 }, field: 'options.maxRecordBytes' },
    { name: 'zero maxRecordBytes', options: { maxRecordBytes: 0 }, field: 'options.maxRecordBytes' },
    { name: 'negative blockedTimeoutMs', options: { blockedTimeoutMs: -5 }, field: 'options.blockedTimeoutMs' },
    { name: 'empty userIdField', options: { userIdField: '' }, field: 'options.userIdField' },
  ]
  for (const row of rows) {
    it(row.name, async () => {
      const error = await openTestStorage(row.options).catch((caught) => caught)
      expect(ValidationError.isInstance(error)).toBe(true)
      expect(error.field).toBe(row.field)
    })
  }
})

describe('__proto__ and constructor keys', () => {
  it('a stored __proto__ key stays data and never reaches a prototype', async () => {
    const storage = await openTestStorage()
    const value = JSON.parse(
      '{"id":"p","userId":"u1","__proto__":{"polluted":true},"nested":{"__proto__":{"polluted":true}}}',
    )
    await storage.put('notes', value)
    await storage.update(
      'notes',
      'p',
      JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
    )
    const stored = await storage.get('notes', 'p')
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype)
    expect((stored as { polluted?: boolean }).polluted).toBeUndefined()
    const [change] = await storage.outbox.read({ userId: 'u1' })
    expect(Object.hasOwn(change!.value!, '__proto__')).toBe(false)
    expect(Object.hasOwn(change!.value!, 'constructor')).toBe(false)
    expect(Object.getPrototypeOf(change!.value)).toBe(Object.prototype)
    storage.close()
  })

  it('parseJsonSafely drops __proto__, constructor and prototype keys at any depth', () => {
    const parsed = parseJsonSafely<Record<string, Record<string, unknown>>>(
      '{"a":{"__proto__":{"x":1},"constructor":{"prototype":{"x":1}},"ok":1},"__proto__":{"x":1}}',
    )
    expect(parsed).toEqual({ a: { ok: 1 } })
    expect(Object.getPrototypeOf(parsed.a)).toBe(Object.prototype)
    expect(({} as { x?: number }).x).toBeUndefined()
  })

  it('parseJsonSafely also drops keys spelled with \\u escapes, and parses plain text unchanged', () => {
    const escaped = parseJsonSafely<Record<string, unknown>>('{"\\u005f_proto__":{"x":1},"ok":"caf\\u00e9"}')
    expect(Object.keys(escaped)).toEqual(['ok'])
    expect(escaped.ok).toBe('café')
    expect(parseJsonSafely('{"text":"plain","n":[1,2]}')).toEqual({ text: 'plain', n: [1, 2] })
  })
})
