import type { Change, PushBatch } from '@autosync/core'
import { createFakeClock, type FakeClock } from '@autosync/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { s3Adapter } from '../src'
import { adapterContext } from './support/context'
import { fold, pullAll } from './support/fold'
import { accessKeyId, bucket, secretAccessKey, startHarness } from './support/harness'

const harness = await startHarness()
afterAll(() => harness.close())

const settleMs = 60_000
let seq = 0
function batch(userId: string, clientId: string, changes: [string, Record<string, unknown> | null][]): PushBatch {
  const list: Change[] = changes.map(([key, value]) => {
    seq++
    return {
      changeId: `${clientId}:${seq}`,
      table: 'notes',
      key,
      op: value ? 'put' : 'delete',
      ...(value ? { value: { id: key, ...value } } : {}),
      seq,
      timestamp: seq,
    }
  })
  return { batchId: `b${seq}`, clientId, userId, changes: list }
}

function device(clock: FakeClock, extra: Partial<Parameters<typeof s3Adapter>[0]> = {}) {
  const timers = { ...clock, now: () => clock.now() }
  return s3Adapter({
    bucket,
    endpoint: harness.layer.url,
    credentials: { accessKeyId, secretAccessKey },
    clock: timers,
    settleMs,
    ...extra,
  })
}

describe('log reading and compaction', () => {
  it('reads a segment that lands late (writer clock behind) within the settle window, once', async () => {
    const userId = 'late-writer'
    const clock = createFakeClock({ start: Date.now() })
    const behind = createFakeClock({ start: clock.now() - 30_000 })
    const reader = device(clock)
    await device(clock).push(batch(userId, 'a', [['k1', { v: 1 }]]), adapterContext(userId, 'a'))
    const first = await pullAll(reader, userId, null)
    await device(behind).push(batch(userId, 'b', [['k2', { v: 2 }]]), adapterContext(userId, 'b'))
    const second = await pullAll(reader, userId, first.cursor)
    expect(second.changes.map((change) => change.key)).toEqual(['k2'])
    expect((await pullAll(reader, userId, second.cursor)).changes).toEqual([])
  })

  it('folds old segments into a snapshot; a reader whose cursor points into deleted segments falls back to it', async () => {
    const userId = 'compaction'
    const clock = createFakeClock({ start: Date.now() })
    const writer = device(clock)
    const push = (changes: [string, Record<string, unknown> | null][]) =>
      writer.push(batch(userId, 'writer', changes), adapterContext(userId, 'writer')).then(() => clock.advance(1_000))
    await push([
      ['a', { v: 1 }],
      ['b', { v: 1 }],
    ])
    await push([['c', { v: 1 }]])
    // Reader one stops half way through the log.
    const one = await pullAll(device(clock), userId, null)
    const oneState = fold(new Map(), one.changes)
    await push([
      ['a', { v: 2 }],
      ['b', null],
    ])
    await push([['d', { v: 1 }]])
    await clock.advance(settleMs + 1)
    await push([['e', { v: 1 }]]) // newer than the compaction bound: stays in the log
    const segmentsBefore = await harness.keys(`autosync/${userId}/log/`)
    expect(segmentsBefore).toHaveLength(5)

    expect(await writer.compact(userId, adapterContext(userId, 'writer'))).toBe(4)
    expect(await harness.keys(`autosync/${userId}/log/`)).toEqual([segmentsBefore[4]])
    expect(await harness.keys(`autosync/${userId}/snapshots/`)).toHaveLength(1)

    const expected = new Map<string, unknown>([
      ['notes/a', { id: 'a', v: 2 }],
      ['notes/c', { id: 'c', v: 1 }],
      ['notes/d', { id: 'd', v: 1 }],
      ['notes/e', { id: 'e', v: 1 }],
    ])
    // Reader one resumes from a cursor into deleted segments; reader two starts fresh. Small pages on purpose.
    const resumed = await pullAll(device(clock), userId, one.cursor, 1)
    expect(fold(oneState, resumed.changes)).toEqual(expected)
    const fresh = await pullAll(device(clock), userId, null, 2)
    expect(fold(new Map(), fresh.changes)).toEqual(expected)
    // Both continue normally after the snapshot.
    await push([['f', { v: 1 }]])
    expect((await pullAll(device(clock), userId, resumed.cursor)).changes.map((change) => change.key)).toEqual(['f'])
    expect((await pullAll(device(clock), userId, fresh.cursor)).changes.map((change) => change.key)).toEqual(['f'])
  })

  it('a compaction between two pages of one pull (the listing kept in memory) loses nothing', async () => {
    const userId = 'compaction-mid-pull'
    const clock = createFakeClock({ start: Date.now() })
    const writer = device(clock)
    const push = (changes: [string, Record<string, unknown> | null][]) =>
      writer.push(batch(userId, 'writer', changes), adapterContext(userId, 'writer')).then(() => clock.advance(1_000))
    await push([['a', { v: 1 }]])
    await push([['b', { v: 1 }]])
    await push([['c', { v: 1 }]])
    await push([['a', { v: 2 }]])
    const reader = device(clock)
    const context = adapterContext(userId, 'reader')
    const first = await reader.pull!({ cursor: null, limit: 1, userId }, context)
    expect(first.hasMore).toBe(true)
    await clock.advance(settleMs + 1)
    expect(await writer.compact(userId, adapterContext(userId, 'writer'))).toBe(4)
    // The reader's next page continues from the listing it kept; the segments in it are gone now.
    const rest = await pullAll(reader, userId, first.cursor, 1)
    const state = fold(fold(new Map(), first.changes), rest.changes)
    expect(state).toEqual(
      new Map<string, unknown>([
        ['notes/a', { id: 'a', v: 2 }],
        ['notes/b', { id: 'b', v: 1 }],
        ['notes/c', { id: 'c', v: 1 }],
      ]),
    )
  })

  it('compacts by itself once the log holds more segments than compactAfterSegments', async () => {
    const userId = 'auto-compaction'
    const clock = createFakeClock({ start: Date.now() })
    const writer = device(clock, { compactAfterSegments: 3, compactCheckEvery: 1 })
    for (let index = 0; index < 3; index++) {
      await writer.push(batch(userId, 'writer', [[`k${index}`, { v: index }]]), adapterContext(userId, 'writer'))
      await clock.advance(settleMs + 1)
    }
    expect(await harness.keys(`autosync/${userId}/log/`)).toHaveLength(3)
    await writer.push(batch(userId, 'writer', [['k3', { v: 3 }]]), adapterContext(userId, 'writer'))
    // Four segments: the three older than settleMs are folded, the one just written stays.
    expect(await harness.keys(`autosync/${userId}/log/`)).toHaveLength(1)
    await writer.push(batch(userId, 'writer', [['k4', { v: 4 }]]), adapterContext(userId, 'writer'))
    expect(await harness.keys(`autosync/${userId}/log/`)).toHaveLength(2)
    const state = fold(new Map(), (await pullAll(device(clock), userId, null)).changes)
    expect([...state.keys()].sort()).toEqual(['notes/k0', 'notes/k1', 'notes/k2', 'notes/k3', 'notes/k4'])
  })
})
