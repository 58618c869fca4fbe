import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { AdapterError } from '../../src/errors'
import { createFixture, fail } from './test-fixture'

describe('buffer', () => {
  it('pushes changes pending at start bufferMs after start(), not before', async () => {
    const fixture = await createFixture({ start: false })
    await fixture.write('a')
    expect(fixture.status()).toMatchObject({ isInitialized: false, phase: 'stopped' })
    await fixture.autoSync.start()
    const start = fixture.clock.now()
    expect(fixture.status()).toMatchObject({
      isInitialized: true,
      phase: 'buffering',
      nextSyncAt: start + 2_000,
      pendingChanges: 1,
      hasPendingSync: true,
      isLeader: true,
    })
    await fixture.clock.advance(1_999)
    expect(fixture.pushes()).toBe(0)
    await fixture.clock.advance(1)
    expect(fixture.pushes()).toBe(1)
    expect(fixture.status()).toMatchObject({
      phase: 'idle',
      pendingChanges: 0,
      lastSyncTime: start + 2_000,
      nextSyncAt: null,
      hasPendingSync: false,
    })
    expect(fixture.eventTypes()).toEqual(['leader-changed', 'sync-started', 'sync-succeeded'])
  })

  it('waits bufferMs after the last change of a burst', async () => {
    const fixture = await createFixture()
    await fixture.write('a')
    await fixture.advanceTo(1_500)
    await fixture.write('b')
    expect(fixture.status()).toMatchObject({ phase: 'buffering', nextSyncAt: fixture.t0 + 3_500, bufferedEvents: 2 })
    await fixture.advanceTo(3_499)
    expect(fixture.pushes()).toBe(0)
    await fixture.advanceTo(3_500)
    expect(fixture.pushes()).toBe(1)
    expect(fixture.adapter.requests[0]?.changes.map((change) => change.key)).toEqual(['a', 'b'])
  })

  it('starts no later than maxBufferMs after the first change of a burst', async () => {
    const fixture = await createFixture()
    for (let at = 0; at < 10_000; at += 1_500) {
      await fixture.advanceTo(at)
      await fixture.write(`k${at}`)
    }
    expect(fixture.status().nextSyncAt).toBe(fixture.t0 + 10_000)
    await fixture.advanceTo(9_999)
    expect(fixture.pushes()).toBe(0)
    await fixture.advanceTo(10_000)
    expect(fixture.pushes()).toBe(1)
  })
})

describe('throttle', () => {
  it('starts an automatic sync no sooner than minIntervalMs after the previous attempt ended', async () => {
    const fixture = await createFixture()
    await fixture.write('a')
    await fixture.advanceTo(2_000)
    expect(fixture.pushes()).toBe(1)
    await fixture.advanceTo(2_100)
    await fixture.write('b')
    expect(fixture.status()).toMatchObject({ phase: 'throttled', nextSyncAt: fixture.t0 + 7_000 })
    await fixture.advanceTo(6_999)
    expect(fixture.pushes()).toBe(1)
    await fixture.advanceTo(7_000)
    expect(fixture.pushes()).toBe(2)
  })

  it('counts from the end of a failed attempt too, and syncNow bypasses it', async () => {
    const fixture = await createFixture({ backoff: { maxMs: 1_000, delay: () => 1_000 } })
    fixture.steps.push(fail())
    await fixture.write('a')
    await fixture.advanceTo(2_000)
    expect(fixture.status()).toMatchObject({ phase: 'backoff', nextSyncAt: fixture.t0 + 7_000, consecutiveFailures: 1 })
    await fixture.autoSync.syncNow()
    expect(fixture.pushes()).toBe(2)
    expect(fixture.elapsed()).toBe(2_000)
    expect(fixture.status()).toMatchObject({ phase: 'idle', consecutiveFailures: 0, isRetrying: false })
  })
})

describe('a change captured during a sync', () => {
  it('starts a new burst and is not part of the running sync', async () => {
    const fixture = await createFixture()
    fixture.steps.push(() =>
      fixture.clock.advance(0).then(() => new Promise((resolve) => fixture.clock.setTimeout(resolve, 1_000))),
    )
    await fixture.write('a')
    await fixture.advanceTo(2_000)
    expect(fixture.status().phase).toBe('syncing')
    await fixture.advanceTo(2_500)
    await fixture.write('b')
    expect(fixture.status()).toMatchObject({ phase: 'syncing', bufferedEvents: 1, nextSyncAt: null })
    await fixture.advanceTo(3_000)
    expect(fixture.adapter.requests[0]?.changes.map((change) => change.key)).toEqual(['a'])
    // The burst began at 2,500 (buffer until 4,500) but the throttle counts from the end at 3,000.
    expect(fixture.status()).toMatchObject({ phase: 'throttled', nextSyncAt: fixture.t0 + 8_000, pendingChanges: 1 })
    await fixture.advanceTo(8_000)
    expect(fixture.adapter.requests[1]?.changes.map((change) => change.key)).toEqual(['b'])
  })
})

describe('backoff', () => {
  it('waits initialMs * factor^(k-1) after the k-th failure, whatever is written meanwhile', async () => {
    const fixture = await createFixture({ maxConsecutiveFailures: 10 })
    fixture.steps.push(fail(), fail(), fail(), fail())
    await fixture.write('a')
    await fixture.advanceTo(2_000)
    const expected = [5_000, 10_000, 20_000, 40_000]
    let end = 2_000
    for (const [index, delay] of expected.entries()) {
      expect(fixture.status()).toMatchObject({
        phase: 'backoff',
        consecutiveFailures: index + 1,
        isRetrying: true,
        nextSyncAt: fixture.t0 + end + delay,
        lastError: { kind: 'server', status: 500, retryable: true },
      })
      await fixture.write(`during-${index}`)
      expect(fixture.status().nextSyncAt).toBe(fixture.t0 + end + delay)
      await fixture.advanceTo(end + delay - 1)
      expect(fixture.pushes()).toBe(index + 1)
      end += delay
      await fixture.advanceTo(end)
      expect(fixture.pushes()).toBe(index + 2)
    }
    expect(fixture.status()).toMatchObject({ phase: 'idle', consecutiveFailures: 0, isRetrying: false })
    const failed = fixture.events.filter((event) => event.type === 'sync-failed')
    expect(failed.map((event) => event.type === 'sync-failed' && event.nextSyncAt! - event.at)).toEqual(expected)
  })

  it('shortens the delay by up to jitter of itself at random', async () => {
    const fixture = await createFixture({ jitter: 0.5, random: () => 0.5 })
    fixture.steps.push(fail())
    await fixture.write('a')
    await fixture.advanceTo(2_000)
    // 5,000 - 5,000 * 0.5 * 0.5 = 3,750, raised to the 5,000 throttle.
    expect(fixture.status().nextSyncAt).toBe(fixture.t0 + 2_000 + 5_000)
    const quick = await createFixture({ jitter: 0.5, random: () => 0.5, minIntervalMs: 0, backoff: undefined })
    quick.steps.push(fail())
    await quick.write('a')
    await quick.advanceTo(2_000)
    expect(quick.status().nextSyncAt).toBe(quick.t0 + 2_000 + 3_750)
  })

  it('uses retryAfterMs as a floor after jitter, clamped to maxMs', async () => {
    const fixture = await createFixture()
    const limited = (retryAfterMs: number) =>
      fail(new AdapterError('HTTP 429', { kind: 'rate-limited', retryable: true, status: 429, retryAfterMs }))
    fixture.steps.push(limited(8_000), limited(1_000), limited(900_000))
    await fixture.write('a')
    await fixture.advanceTo(2_000)
    expect(fixture.status().nextSyncAt).toBe(fixture.t0 + 10_000)
    await fixture.advanceTo(10_000)
    expect(fixture.status().nextSyncAt).toBe(fixture.t0 + 20_000)
    await fixture.advanceTo(20_000)
    expect(fixture.status().nextSyncAt).toBe(fixture.t0 + 20_000 + 300_000)
  })
})

describe('pendingChanges', () => {
  it('follows captures at once, then at most every 250 ms during a burst', async () => {
    const fixture = await createFixture()
    await fixture.write('a')
    expect(fixture.status().pendingChanges).toBe(1)
    await fixture.write('b')
    await fixture.write('c')
    expect(fixture.status().pendingChanges).toBe(1)
    await fixture.advanceTo(249)
    expect(fixture.status().pendingChanges).toBe(1)
    await fixture.advanceTo(250)
    expect(fixture.status().pendingChanges).toBe(3)
  })
})
