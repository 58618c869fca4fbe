import type { Clock, Logger, SyncStatus } from '../types'
import { deriveStatus } from './derive-status'
import { planNextSync, pullDue, type ScheduleSettings } from './schedule'
import { type EngineState, reduce, type StateEvent } from './state'
import { createStatusStore } from './status-store'

export interface SchedulerOptions {
  initial: EngineState
  settings: ScheduleSettings
  clock: Clock
  logger: Logger
  isLeader(): boolean
  /** The one timer fired: an automatic attempt is due. */
  onDue(): void
  /** A wanted pull may run now (see `pullDue`). */
  onPullDue(): void
}

export type Scheduler = ReturnType<typeof createScheduler>

/**
 * Owns the engine's state, its one timer and its status: every change is a `dispatch`, after which the next
 * attempt is planned, the timer re-armed and the status derived. Nothing else writes the state or the status.
 */
export function createScheduler(options: SchedulerOptions) {
  const { clock, settings, isLeader } = options
  let state = options.initial
  let timer: unknown
  let pullQueued = false

  const own = () => deriveStatus(state, planNextSync(state, settings), isLeader(), clock.now())
  // The seed's key order: the fields the state does not give sit around the derived ones.
  const status = createStatusStore(
    Object.assign({ isEnabled: true, isInitialized: false, userId: state.userId, lastSyncTime: null }, own(), {
      lastError: null,
      progress: null,
      deadLetters: 0,
    }),
    options.logger,
  )

  function refresh(): void {
    clock.clearTimeout(timer)
    timer = undefined
    const next = own()
    const at = next.nextSyncAt
    if (state.started && at !== null) timer = clock.setTimeout(() => fire(at), at - clock.now())
    // A follower shows the leader's status once it has heard from it.
    if (next.isLeader || !state.mirrored) status.set(next)
    // Right after this dispatch, not inside it: the pull run dispatches too. Only the leader pulls.
    if (!pullQueued && pullDue(state) && next.isLeader) {
      pullQueued = true
      queueMicrotask(() => {
        pullQueued = false
        if (pullDue(state) && isLeader()) options.onPullDue()
      })
    }
  }

  function dispatch(event: StateEvent): void {
    state = reduce(state, event)
    refresh()
  }

  function fire(at: number): void {
    timer = undefined
    dispatch({ type: 'timer-fired', at })
    options.onDue()
  }

  return {
    get state(): Readonly<EngineState> {
      return state
    },
    dispatch,
    /** Re-derives the status (e.g. after the leadership changed, which is the tabs' state, not the engine's). */
    refresh,
    /** Status fields the state does not derive: times, errors, progress, what a pull reports. */
    report(fields: Partial<SyncStatus>): void {
      status.set(fields)
    },
    status: status.get,
    subscribe: status.subscribe,
  }
}
