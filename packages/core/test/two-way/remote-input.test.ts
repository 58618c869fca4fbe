import { describe, expect, it } from 'vitest'
import { AdapterError, AutoSyncError } from '../../src/errors'
import { remoteNote, useScriptedPages } from './scripted-pages'

const good = remoteNote
const deviceWithPages = useScriptedPages()

describe('remote input is untrusted', () => {
  it('dead-letters each bad change (direction pull) and still applies the rest of the page', async () => {
    const circular: Record<string, unknown> = { id: 'circular', userId: 'u1' }
    circular.self = circular
    const device = await deviceWithPages([
      {
        changes: [
          good('first', '1'),
          { ...good('x', '2'), table: 'no-such-table' },
          { ...good('x', '3'), table: 'local' },
          { ...good('..', '4'), value: { id: '..', userId: 'u1' } },
          { ...good('a/b', '5'), value: { id: 'a/b', userId: 'u1' } },
          { ...good('big', '6'), value: { id: 'big', userId: 'u1', text: 'x'.repeat(1024 * 1024 + 1) } },
          { ...good('circular', '7'), value: circular },
          { ...good('nokey', '8'), value: { userId: 'u1' } },
          { ...good('norev', '9'), revision: 42 },
          'not an object',
          good('last', '10'),
        ],
        cursor: '10',
        hasMore: false,
      },
    ])
    expect(await device.autoSync.pull()).toEqual({ applied: 2, conflicts: 0 })
    expect(Object.keys(await device.notes()).sort()).toEqual(['first', 'last'])
    const letters = await device.storage.deadLetters.list()
    expect(letters).toHaveLength(9)
    for (const letter of letters) expect(letter).toMatchObject({ direction: 'pull', kind: 'rejected' })
    expect(letters.map((letter) => letter.reason).join('\n')).toMatch(/maxRecordBytes/)
    expect(device.autoSync.getStatus().deadLetters).toBe(9)
    expect(await device.pending()).toBe(0)
  })

  it('keeps one dead letter per refused change, even for two pages pulled in the same millisecond', async () => {
    const bad = { ...good('x', '1'), table: 'no-such-table' }
    const device = await deviceWithPages([
      { changes: [bad, good('one', '2')], cursor: '2', hasMore: true },
      { changes: [{ ...bad, op: 'delete' }, good('two', '4')], cursor: '4', hasMore: false },
    ])
    await device.autoSync.pull()
    const letters = await device.storage.deadLetters.list()
    expect(letters).toHaveLength(2)
    expect(new Set(letters.map((letter) => letter.id)).size).toBe(2)
    expect(letters.map((letter) => letter.change.op).sort()).toEqual(['delete', 'put'])
    for (const letter of letters) {
      expect(letter).toMatchObject({ direction: 'pull', change: { table: 'no-such-table', key: 'x', seq: 0 } })
    }
    expect(Object.keys(await device.notes()).sort()).toEqual(['one', 'two'])
  })

  it('drops a record that names another user, and logs it', async () => {
    const device = await deviceWithPages([
      {
        changes: [{ ...good('theirs', '1'), value: { id: 'theirs', userId: 'mallory' } }, good('mine', '2')],
        cursor: '2',
        hasMore: false,
      },
    ])
    await device.autoSync.pull()
    expect(Object.keys(await device.notes())).toEqual(['mine'])
    expect(device.logger.warnings.join('\n')).toMatch(/another user/)
    expect(await device.storage.deadLetters.count()).toBe(0)
  })

  it('never lets __proto__ or constructor keys take effect', async () => {
    const hostile = JSON.parse(
      '{"id":"p","userId":"u1","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"text":"ok"}',
    )
    const device = await deviceWithPages([
      { changes: [{ ...good('p', '1'), value: hostile }], cursor: '1', hasMore: false },
    ])
    await device.autoSync.pull()
    const stored = (await device.notes()).p!
    expect(stored).toEqual({ id: 'p', userId: 'u1', text: 'ok' })
    expect(Object.hasOwn(stored, '__proto__')).toBe(false)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it.each([
    ['a page that is not an object', 'nope', 'a page without a changes array'],
    ['changes that are not an array', { changes: 'x', cursor: '1', hasMore: false }, 'a page without a changes array'],
    ['a page without hasMore', { changes: [], cursor: '6' }, 'a page without a boolean hasMore'],
    [
      'a cursor that is a number',
      { changes: [], cursor: 6, hasMore: false },
      'a page whose cursor is neither a string nor null',
    ],
    [
      'a cursor that goes backwards',
      { changes: [good('late', '1')], cursor: '1', hasMore: false },
      'a cursor that went backwards (5 → 1)',
    ],
    [
      'hasMore without a new cursor',
      { changes: [good('loop', '1')], cursor: '5', hasMore: true },
      'hasMore without a new cursor (still 5), which would pull the same page forever',
    ],
  ])('refuses %s as a protocol error, says what was wrong and applies nothing', async (_name, page, problem) => {
    const device = await deviceWithPages([{ changes: [good('seed', '5')], cursor: '5', hasMore: false }, page])
    await device.autoSync.pull()
    const failed = await device.autoSync.pull().catch((error: unknown) => error)
    expect(AutoSyncError.isInstance(failed)).toBe(true)
    expect(AdapterError.isInstance(failed) && failed.kind).toBe('protocol')
    // The protocol error itself rejects pull(), its message naming the adapter and the problem.
    expect((failed as Error).message).toBe(
      `[autosync] [pull] the "memory" adapter answered ${problem}; nothing of that page was applied`,
    )
    expect(Object.keys(await device.notes())).toEqual(['seed'])
    expect(device.autoSync.getStatus().pullCursor).toBe('5')
    expect(await device.storage.metadata.get('autosync.pullCursor.memory.u1')).toBe('5')
  })
})
