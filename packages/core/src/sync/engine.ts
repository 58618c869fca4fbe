import type {
  AdapterContext,
  AutoSync,
  Change,
  Clock,
  Logger,
  PushResult,
  StorageEvent,
  SyncLifecycleEvent,
  SyncPlugin,
} from '../types'
import type { Tabs } from './leader'
import type { ScheduleState } from './schedule'
import type { StatusStore } from './status-store'

/** A lifecycle event as the engine emits it: `at` defaults to the clock's now. */
export type EngineEvent = SyncLifecycleEvent extends infer Event
  ? Event extends SyncLifecycleEvent
    ? Omit<Event, 'at'> & { at?: number }
    : never
  : never

/** The scheduling inputs plus what the engine counts about the active user. */
export interface EngineState extends ScheduleState {
  userId: string | null
  failures: number
  /** The circuit breaker opened after too many failures in a row (cleared by the next success). */
  breakerOpen: boolean
  bufferedEvents: number
  /** Versions are global across users: a sync pushes what was captured before it started. */
  latestSeq: number
  /** `latestSeq` when the last finished count of this user's outbox started; `null` when unknown. */
  countedSeq: number | null
  /** A follower shows the leader's status once it has heard from it. */
  mirrored: boolean
}

/** What the parts of one engine share: created once by `createAutoSync`, read by the run and the user switch. */
export interface Engine {
  storage: AutoSync['storage']
  clock: Clock
  logger: Logger
  plugins: SyncPlugin[]
  state: EngineState
  status: StatusStore
  tabs: Tabs
  emit(event: EngineEvent): void
  /** Recomputes the plan, arms the one timer and publishes the status. */
  refresh(): void
  recount(deadLetters?: boolean): Promise<void>
  /** The first plugin's reason to keep this change local (reported as `change-skipped`), or `false`. */
  skip(event: StorageEvent): string | false
  /** Aborts the running attempt and waits for it to settle. */
  abort(): Promise<void>
  /** Reads the active user's last sync time and counts, opening a burst for what is pending. */
  loadUser(): Promise<void>
  /** Two-way hooks, installed by `twoWay()`: base revisions before a push, revisions and conflicts after it. */
  beforePush?(changes: Change[]): Promise<void>
  afterPush?(result: PushResult): Promise<void>
  /** Pulls every page; resolves `true` when resolved conflicts wait to be pushed. */
  pull?(context: AdapterContext): Promise<boolean>
  /** A backend without conditional writes: pull before pushing, so conflicts are settled before a blind write. */
  pullFirst?: boolean
}

export const metadataKey = (userId: string | null) => `autosync.lastSyncTime.${userId}`

/** The per-user part of the state: what a user switch starts afresh. */
export const freshUserState = () => ({
  failures: 0,
  breakerOpen: false,
  bufferedEvents: 0,
  authPaused: false,
  burstFirst: null,
  burstLast: null,
  retryAt: null,
  disabledUntil: null,
  pendingChanges: 0,
  countedSeq: null,
})

/** A capture (or a backlog found at start) opens the burst or extends it. */
export function openBurst(state: EngineState, now: number): void {
  state.burstFirst ??= now
  state.burstLast = now
}
