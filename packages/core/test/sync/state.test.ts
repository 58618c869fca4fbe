import { describe, expect, it } from 'vitest'
import { initialState, reduce, type StateEvent } from '../../src/sync/state'

const fold = (...events: StateEvent[]) => events.reduce(reduce, initialState('u1', true))

describe('the engine state reducer', () => {
  it('returns a new state and leaves the one it was given as it was', () => {
    const before = initialState('u1', true)
    const after = reduce(before, { type: 'captured', seq: 3, mine: true, keys: 2, at: 10 })
    expect(after).not.toBe(before)
    expect(before).toMatchObject({ latestSeq: 0, bufferedEvents: 0, pendingChanges: 0, burstFirst: null })
    expect(after).toMatchObject({ latestSeq: 3, bufferedEvents: 1, pendingChanges: 2, burstFirst: 10, burstLast: 10 })
  })

  it('a capture of another user only moves the latest version, never the burst or the counts', () => {
    expect(fold({ type: 'captured', seq: 7, mine: false, keys: 0, at: 10 })).toMatchObject({
      latestSeq: 7,
      bufferedEvents: 0,
      pendingChanges: 0,
      burstFirst: null,
    })
  })

  it('a count that started before the latest capture keeps the capture lower bound; a current one is exact', () => {
    const captured = fold({ type: 'captured', seq: 5, mine: true, keys: 4, at: 10 })
    expect(reduce(captured, { type: 'counted', pending: 1, coveredSeq: 4 }).pendingChanges).toBe(4)
    expect(reduce(captured, { type: 'counted', pending: 1, coveredSeq: 5 })).toMatchObject({
      pendingChanges: 1,
      countedSeq: 5,
    })
  })

  it('a failure counts toward the breaker, which opens with a recovery time; a success closes it', () => {
    const failed = fold(
      { type: 'attempt-started' },
      { type: 'attempt-ended', at: 50, outcome: 'failed', retryAt: null, disabledUntil: 350 },
    )
    expect(failed).toMatchObject({
      inFlight: false,
      failures: 1,
      breakerOpen: true,
      disabledUntil: 350,
      lastEndedAt: 50,
    })
    // The timer at the recovery time allows one trial attempt.
    expect(reduce(failed, { type: 'timer-fired', at: 349 }).disabledUntil).toBe(350)
    expect(reduce(failed, { type: 'timer-fired', at: 350 }).disabledUntil).toBeNull()
    const recovered = reduce(reduce(failed, { type: 'attempt-started' }), {
      type: 'attempt-ended',
      at: 400,
      outcome: 'succeeded',
    })
    expect(recovered).toMatchObject({ failures: 0, breakerOpen: false, retryAt: null, disabledUntil: null })
  })

  it('an auth failure pauses without counting; an aborted attempt changes nothing but inFlight', () => {
    const auth = fold({ type: 'attempt-started' }, { type: 'attempt-ended', at: 50, outcome: 'auth' })
    expect(auth).toMatchObject({ authPaused: true, failures: 0, lastEndedAt: 50 })
    expect(reduce(auth, { type: 'auth-resumed' }).authPaused).toBe(false)
    const aborted = fold({ type: 'attempt-started' }, { type: 'attempt-ended', at: 50, outcome: 'aborted' })
    expect(aborted).toMatchObject({ inFlight: false, lastEndedAt: null, failures: 0 })
  })

  it('an attempt takes the burst, the reconnect and the wanted pull with it', () => {
    const busy = fold(
      { type: 'captured', seq: 1, mine: true, keys: 1, at: 10 },
      { type: 'online-changed', online: true, reconnectAt: 20 },
      { type: 'pull-wanted', at: 30 },
      { type: 'attempt-started' },
    )
    expect(busy).toMatchObject({ inFlight: true, burstFirst: null, reconnectAt: null, pullAt: null, bufferedEvents: 0 })
  })

  it('a user switch starts the per-user part afresh and keeps the global version', () => {
    const switched = reduce(
      fold(
        { type: 'captured', seq: 9, mine: true, keys: 3, at: 10 },
        { type: 'attempt-started' },
        { type: 'attempt-ended', at: 50, outcome: 'failed', retryAt: 80, disabledUntil: null },
      ),
      { type: 'user-switched', userId: 'u2' },
    )
    expect(switched).toMatchObject({ userId: 'u2', latestSeq: 9, failures: 0, retryAt: null, pendingChanges: 0 })
  })

  it('turning pulls off forgets a wanted pull', () => {
    const wanted = fold({ type: 'pulls-changed', pulls: true }, { type: 'pull-wanted', at: 5 })
    expect(wanted).toMatchObject({ pulls: true, pullAt: 5 })
    expect(reduce(wanted, { type: 'pulls-changed', pulls: false })).toMatchObject({ pulls: false, pullAt: null })
  })
})
