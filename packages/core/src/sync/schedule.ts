import type { SyncPhase } from '../types'

export interface ScheduleSettings {
  bufferMs: number
  maxBufferMs: number
  minIntervalMs: number
  periodicSyncMs: number
}

/** Everything the next automatic attempt depends on; times are `clock.now()` milliseconds. */
export interface ScheduleState {
  started: boolean
  inFlight: boolean
  enabled: boolean
  online: boolean
  authPaused: boolean
  /** First and last capture of the current burst, `null` when no burst is open. */
  burstFirst: number | null
  burstLast: number | null
  /** When the previous attempt ended (throttle), or `null` before the first one. */
  lastEndedAt: number | null
  /** `start()` or the last attempt's end: the periodic fallback counts from here. */
  periodicFrom: number
  /** The backoff time after a failure. */
  retryAt: number | null
  /** The open circuit breaker's recovery time. */
  disabledUntil: number | null
  /** Set on reconnect: a sync of anything pending at this jittered time. */
  reconnectAt: number | null
  pendingChanges: number
  /** Two-way sync: a pull is wanted since this time (after start, a live hint, the page becoming visible). */
  pullAt?: number | null
  /** Two-way sync is on: reconnects and the periodic timer sync even with nothing pending. */
  pulls?: boolean
}

export interface Plan {
  phase: SyncPhase
  at: number | null
}

/** The rules of DESIGN's "Scheduling, exactly": when the next automatic attempt starts, and why. */
export function planNextSync(state: ScheduleState, settings: ScheduleSettings): Plan {
  const paused = !state.started
    ? 'stopped'
    : state.inFlight
      ? 'syncing'
      : !state.enabled
        ? 'disabled'
        : !state.online
          ? 'offline'
          : state.authPaused && 'idle'
  if (paused) return { phase: paused, at: null }
  // Throttle holds for every automatic attempt: backoff and recovery times included.
  const throttleAt = state.lastEndedAt === null ? Number.NEGATIVE_INFINITY : state.lastEndedAt + settings.minIntervalMs
  const notBefore = (at: number) => Math.max(at, throttleAt, state.reconnectAt ?? at)
  if (state.disabledUntil !== null) return { phase: 'disabled', at: notBefore(state.disabledUntil) }
  if (state.retryAt !== null) return { phase: 'backoff', at: notBefore(state.retryAt) }
  const hasPending = state.burstFirst !== null || state.pendingChanges > 0 || state.pulls
  if (state.reconnectAt !== null && hasPending) return { phase: 'buffering', at: notBefore(state.reconnectAt) }
  if (state.burstFirst !== null && state.burstLast !== null) {
    const bufferAt = Math.min(state.burstLast + settings.bufferMs, state.burstFirst + settings.maxBufferMs)
    return { phase: throttleAt > bufferAt ? 'throttled' : 'buffering', at: notBefore(bufferAt) }
  }
  if (settings.periodicSyncMs > 0 && (state.pendingChanges > 0 || state.pulls)) {
    return { phase: 'idle', at: notBefore(state.periodicFrom + settings.periodicSyncMs) }
  }
  return { phase: 'idle', at: null }
}

/**
 * A wanted pull runs at once: `bufferMs` and `minIntervalMs` govern pushes only, never the receiving side. It waits
 * while a sync runs (then runs once more, however many hints came), and while backoff, the breaker, an auth pause,
 * a disabled engine or being offline hold every sync back.
 */
export function pullDue(state: ScheduleState): boolean {
  return (
    Boolean(state.pulls) &&
    state.pullAt != null &&
    state.started &&
    !state.inFlight &&
    state.enabled &&
    state.online &&
    !state.authPaused &&
    state.retryAt === null &&
    state.disabledUntil === null
  )
}
