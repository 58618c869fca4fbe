import type { SyncStatus } from '../types'
import type { Plan } from './schedule'
import type { EngineState } from './state'

/** The status fields that follow from the state; the rest (times, errors, progress) are reported where they happen. */
export function deriveStatus(state: EngineState, plan: Plan, isLeader: boolean, now: number) {
  const { failures, pendingChanges } = state
  return {
    isEnabled: state.enabled && !state.breakerOpen,
    userId: state.userId,
    hasPendingSync: pendingChanges > 0 || state.burstFirst !== null,
    consecutiveFailures: failures,
    bufferedEvents: state.bufferedEvents,
    // An auth failure pauses without counting toward the breaker; it is still a failed attempt until a success.
    isRetrying: failures > 0 || state.authPaused,
    phase: plan.phase,
    pendingChanges,
    // A time already past means now: the status shows when the attempt really starts.
    nextSyncAt: isLeader && plan.at !== null ? Math.max(plan.at, now) : null,
    disabledUntil: state.disabledUntil,
    isOnline: state.online,
    isLeader,
  } satisfies Partial<SyncStatus>
}
