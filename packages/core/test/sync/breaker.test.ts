import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { AdapterError } from '../../src/errors'
import { createFixture, fail } from './test-fixture'

const fastBackoff = { maxMs: 1_000, delay: () => 1_000 }

async function failFiveTimes(fixture: Awaited<ReturnType<typeof createFixture>>) {
  fixture.steps.push(fail(), fail(), fail(), fail(), fail())
  await fixture.write('a')
  await fixture.advanceTo(2_000)
  for (let attempt = 1; attempt < 5; attempt++) await fixture.advanceTo(2_000 + attempt * 5_000)
}

describe('circuit breaker', () => {
  it('disables auto-sync for recoveryMs after maxConsecutiveFailures, then tries once', async () => {
    const fixture = await createFixture({ backoff: fastBackoff })
    await failFiveTimes(fixture)
    const openedAt = fixture.t0 + 22_000
    expect(fixture.pushes()).toBe(5)
    expect(fixture.status()).toMatchObject({
      phase: 'disabled',
      isEnabled: false,
      consecutiveFailures: 5,
      disabledUntil: openedAt + 300_000,
      nextSyncAt: openedAt + 300_000,
    })
    expect(fixture.events.at(-1)).toEqual({
      type: 'sync-disabled',
      reason: 'circuit-breaker',
      disabledUntil: openedAt + 300_000,
      at: openedAt,
    })
    expect(fixture.messages.filter((message) => message.level === 'warn').map((message) => message.text)).toEqual([
      'Auto-sync service: Sync failed (1/5): HTTP 500',
      'Auto-sync service: Sync failed (2/5): HTTP 500',
      'Auto-sync service: Sync failed (3/5): HTTP 500',
      'Auto-sync service: Sync failed (4/5): HTTP 500',
      'Auto-sync service: Sync failed (5/5): HTTP 500',
    ])
    // Local writes are still captured and change nothing of the schedule.
    await fixture.write('b')
    expect(fixture.status()).toMatchObject({ pendingChanges: 2, nextSyncAt: openedAt + 300_000 })
    await fixture.clock.advance(openedAt + 299_999 - fixture.clock.now())
    expect(fixture.pushes()).toBe(5)
    await fixture.clock.advance(1)
    expect(fixture.pushes()).toBe(6)
    expect(fixture.status()).toMatchObject({
      phase: 'idle',
      isEnabled: true,
      consecutiveFailures: 0,
      disabledUntil: null,
      pendingChanges: 0,
    })
    expect(fixture.eventTypes().slice(-3)).toEqual(['sync-started', 'sync-succeeded', 'sync-enabled'])
    expect(fixture.events.at(-1)).toMatchObject({ reason: 'recovered' })
  })

  it('disables again for recoveryMs when the trial attempt fails', async () => {
    const fixture = await createFixture({ backoff: fastBackoff })
    await failFiveTimes(fixture)
    fixture.steps.push(fail())
    await fixture.advanceTo(322_000)
    expect(fixture.pushes()).toBe(6)
    expect(fixture.status()).toMatchObject({
      phase: 'disabled',
      consecutiveFailures: 6,
      disabledUntil: fixture.t0 + 622_000,
    })
    expect(fixture.eventTypes().slice(-2)).toEqual(['sync-failed', 'sync-disabled'])
  })

  it('lets syncNow push while disabled, and its success re-arms the breaker', async () => {
    const fixture = await createFixture({ backoff: fastBackoff })
    await failFiveTimes(fixture)
    await fixture.advanceTo(30_000)
    await fixture.autoSync.syncNow()
    expect(fixture.pushes()).toBe(6)
    expect(fixture.status()).toMatchObject({
      phase: 'idle',
      isEnabled: true,
      disabledUntil: null,
      consecutiveFailures: 0,
    })
    expect(fixture.events.at(-1)).toEqual({ type: 'sync-enabled', reason: 'sync-now', at: fixture.t0 + 30_000 })
  })
})

describe('offline', () => {
  it('pauses without counting a failure and syncs a short jittered delay after reconnect', async () => {
    const fixture = await createFixture({ random: () => 0.25 })
    fixture.network.set(false)
    await fixture.write('a')
    expect(fixture.status()).toMatchObject({ phase: 'offline', isOnline: false, nextSyncAt: null, pendingChanges: 1 })
    await fixture.advanceTo(60_000)
    expect(fixture.pushes()).toBe(0)
    expect(fixture.status().consecutiveFailures).toBe(0)
    fixture.network.set(true)
    expect(fixture.status()).toMatchObject({ phase: 'buffering', isOnline: true, nextSyncAt: fixture.t0 + 60_250 })
    await fixture.advanceTo(60_249)
    expect(fixture.pushes()).toBe(0)
    await fixture.advanceTo(60_250)
    expect(fixture.pushes()).toBe(1)
  })

  it('keeps the backoff time as a floor after reconnect', async () => {
    const fixture = await createFixture({ random: () => 0 })
    fixture.steps.push(fail())
    await fixture.write('a')
    await fixture.advanceTo(2_000)
    fixture.network.set(false)
    await fixture.advanceTo(3_000)
    fixture.network.set(true)
    expect(fixture.status()).toMatchObject({ phase: 'backoff', nextSyncAt: fixture.t0 + 7_000 })
  })

  it('does nothing on reconnect when nothing is pending', async () => {
    const fixture = await createFixture()
    fixture.network.set(false)
    fixture.network.set(true)
    expect(fixture.status()).toMatchObject({ phase: 'idle', nextSyncAt: null })
  })
})

describe('periodic fallback', () => {
  it('keeps a change whose push failed pending for the next attempt', async () => {
    const fixture = await createFixture()
    // The backend omits one change from its ack: it stays pending without a new burst.
    fixture.steps.push(() => {
      throw new AdapterError('lost', { kind: 'network', retryable: true })
    })
    await fixture.write('a')
    await fixture.autoSync.syncNow()
    fixture.steps.length = 0
    expect(fixture.status()).toMatchObject({ phase: 'backoff', pendingChanges: 1 })
    await fixture.autoSync.syncNow()
    expect(fixture.status()).toMatchObject({ phase: 'idle', pendingChanges: 0, nextSyncAt: null })
  })

  it('runs every periodicSyncMs when acks omit a change, and never with periodicSyncMs 0', async () => {
    for (const periodicSyncMs of [60_000, 0]) {
      const fixture = await createFixture({ periodicSyncMs })
      fixture.adapter.push = ((push) => async (batch, context) => {
        const result = await push(batch, context)
        return fixture.pushes() === 1 ? { accepted: [] } : result
      })(fixture.adapter.push)
      await fixture.write('a')
      await fixture.advanceTo(2_000)
      expect(fixture.status()).toMatchObject({ phase: 'idle', pendingChanges: 1 })
      expect(fixture.status().nextSyncAt).toBe(periodicSyncMs ? fixture.t0 + 62_000 : null)
      await fixture.advanceTo(61_999)
      expect(fixture.pushes()).toBe(1)
      await fixture.advanceTo(62_000)
      expect(fixture.pushes()).toBe(periodicSyncMs ? 2 : 1)
    }
  })
})

describe('auth failures', () => {
  it('pause with auth-required without burning the retry budget; syncNow resumes', async () => {
    const fixture = await createFixture()
    fixture.steps.push(fail(new AdapterError('HTTP 401', { kind: 'auth', retryable: false, status: 401 })))
    await fixture.write('a')
    await fixture.advanceTo(2_000)
    expect(fixture.status()).toMatchObject({
      phase: 'idle',
      consecutiveFailures: 0,
      nextSyncAt: null,
      pendingChanges: 1,
      deadLetters: 0,
      lastError: { kind: 'auth', status: 401 },
    })
    expect(fixture.events.at(-1)).toMatchObject({ type: 'auth-required', error: { kind: 'auth', status: 401 } })
    await fixture.write('b')
    await fixture.advanceTo(100_000)
    expect(fixture.pushes()).toBe(1)
    await fixture.autoSync.syncNow()
    expect(fixture.status()).toMatchObject({ pendingChanges: 0, lastError: null })
  })
})

describe('setEnabled', () => {
  it('stops automatic attempts and resumes them', async () => {
    const fixture = await createFixture()
    fixture.autoSync.setEnabled(false)
    await fixture.write('a')
    expect(fixture.status()).toMatchObject({ phase: 'disabled', isEnabled: false, nextSyncAt: null })
    await fixture.advanceTo(20_000)
    expect(fixture.pushes()).toBe(0)
    fixture.autoSync.setEnabled(true)
    expect(fixture.status()).toMatchObject({ phase: 'buffering', isEnabled: true, nextSyncAt: fixture.t0 + 20_000 })
    await fixture.advanceTo(20_000)
    expect(fixture.pushes()).toBe(1)
    expect(fixture.eventTypes()).toContain('sync-disabled')
    expect(fixture.events.find((event) => event.type === 'sync-disabled')).toMatchObject({ reason: 'manual' })
  })
})
