import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { remoteNote, useScriptedPages } from './scripted-pages'

const good = remoteNote
const deviceWithPages = useScriptedPages()

describe('a poisoned pulled change', () => {
  it.each([
    ['table', { toString: 1 }],
    ['key', { toString: 1 }],
    ['key', { valueOf: 1, toString: 1 }],
    ['key', ['a']],
    ['op', { toString: 1 }],
    ['revision', { toString: 1 }],
    ['changeId', { toString: 1 }],
    ['timestamp', { valueOf: 1 }],
    ['changedFields', { length: 1 }],
    ['value', { toString: 1, id: 1 }],
  ])('whose %s is %j is a pull dead letter, the valid changes apply and the cursor advances', async (field, bad) => {
    const device = await deviceWithPages([
      {
        changes: [good('before', '1'), { ...good('poisoned', '2'), [field]: bad }, good('after', '3')],
        cursor: '3',
        hasMore: false,
      },
      { changes: [good('later', '4')], cursor: '4', hasMore: false },
    ])
    expect(await device.autoSync.pull()).toEqual({ applied: 2, conflicts: 0 })
    expect(Object.keys(await device.notes()).sort()).toEqual(['after', 'before'])
    const [letter] = await device.storage.deadLetters.list()
    expect(letter).toMatchObject({ direction: 'pull', kind: 'rejected' })
    expect(letter!.reason).toMatch(/^\[autosync\] \[pull\] a remote change to .+ was refused: its /)
    expect(device.autoSync.getStatus().pullCursor).toBe('3')
    // The next pull is not stuck on it.
    expect(await device.autoSync.pull()).toEqual({ applied: 1, conflicts: 0 })
    expect(device.autoSync.getStatus().pullCursor).toBe('4')
  })
})

const anyJson = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom({ toString: 1 }, { valueOf: 1 }, { toString: 1, valueOf: 1 }, '__proto__', '', '..', 'a/b', -0),
)

describe('retrying a pull dead letter', () => {
  it('never queues a push of the local copy (a delete where there is none) and keeps the letter', async () => {
    const device = await deviceWithPages([
      { changes: [{ ...good('refused', '1'), revision: { toString: 1 } }], cursor: '1', hasMore: false },
    ])
    await device.autoSync.pull()
    const [letter] = await device.storage.deadLetters.list()
    const failure = await device.storage.deadLetters.retry(letter!.id).catch((error: unknown) => error)
    expect(failure).toMatchObject({ code: 'pull-dead-letter-not-retryable' })
    expect(String((failure as Error).message)).toMatch(/refused on pull .*discard it/)
    expect(await device.pending()).toBe(0)
    expect(await device.storage.deadLetters.count()).toBe(1)
  })
})

describe('apply of random remote input (property, 20 seeds)', () => {
  it.each(Array.from({ length: 20 }, (_, index) => index + 1))('seed %i', async (seed) => {
    const [fields] = fc.sample(
      fc.array(
        fc.record({
          field: fc.constantFrom('table', 'key', 'op', 'revision', 'changeId', 'timestamp', 'changedFields', 'value'),
          bad: anyJson,
        }),
        { minLength: 1, maxLength: 6 },
      ),
      { seed, numRuns: 1 },
    )
    const poisoned = fields!.map(({ field, bad }, index) => ({ ...good(`p${index}`, `p${index}`), [field]: bad }))
    const changes = [good('valid-1', 'v1'), ...poisoned, good('valid-2', 'v2')]
    const device = await deviceWithPages([{ changes, cursor: '9', hasMore: false }])
    const outcome = await device.autoSync.pull()
    const notes = await device.notes()
    // The valid changes apply whatever stands between them; nothing escapes as an untyped throw.
    expect(notes['valid-1']).toEqual(good('valid-1', 'v1').value)
    expect(notes['valid-2']).toEqual(good('valid-2', 'v2').value)
    expect(outcome.applied).toBeGreaterThanOrEqual(2)
    expect(device.autoSync.getStatus().pullCursor).toBe('9')
    const letters = await device.storage.deadLetters.count()
    // Every poisoned change either applied (its bad value happened to be valid) or is a dead letter.
    expect(letters + outcome.applied).toBeGreaterThanOrEqual(2)
    expect(letters + outcome.applied).toBeLessThanOrEqual(changes.length)
  })
})
