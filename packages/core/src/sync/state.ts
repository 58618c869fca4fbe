import type { ScheduleState } from './schedule'

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

/** How an attempt ended: `aborted` (a stop or user switch) is neither a success nor a failure. */
export type AttemptOutcome =
  | { outcome: 'succeeded' }
  | { outcome: 'aborted' }
  | { outcome: 'auth' }
  | { outcome: 'failed'; retryAt: number | null; disabledUntil: number | null }

/** Everything that changes the engine's state; `reduce` is the only place that turns one into a new state. */
export type StateEvent =
  | { type: 'started'; at: number; online: boolean }
  | { type: 'stopped' }
  /** A committed capture: `mine` when it holds changes of the active user, `keys` a lower bound of them. */
  | { type: 'captured'; seq: number; mine: boolean; keys: number; at: number }
  /** A follower asked for a sync of everything up to `seq` (its captures may reach this tab later). */
  | { type: 'seq-seen'; seq: number }
  | { type: 'counted'; pending: number; coveredSeq: number }
  /** The active user's outbox holds changes at start or after a switch: they open a burst. */
  | { type: 'backlog-found'; at: number }
  | { type: 'online-changed'; online: boolean; reconnectAt: number | null }
  /** `pullOnly`: a pull on its own (a hint, a visible page) takes the wanted pull and leaves the push burst alone. */
  | { type: 'attempt-started'; pullOnly?: boolean }
  | ({ type: 'attempt-ended'; at: number; pullOnly?: boolean } & AttemptOutcome)
  | { type: 'enabled-changed'; enabled: boolean }
  /** `syncNow()` or `setEnabled(true)`: an auth pause ends, the app says the user signed in. */
  | { type: 'auth-resumed' }
  | { type: 'user-switched'; userId: string | null }
  | { type: 'pull-wanted'; at: number }
  | { type: 'pulls-changed'; pulls: boolean }
  | { type: 'leader-changed' }
  | { type: 'leader-status-heard' }
  | { type: 'timer-fired'; at: number }

/** The per-user part of the state: what a user switch starts afresh. */
const freshUserState = () => ({
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

export function initialState(userId: string | null, online: boolean): EngineState {
  return {
    userId,
    started: false,
    inFlight: false,
    enabled: true,
    online,
    lastEndedAt: null,
    periodicFrom: 0,
    reconnectAt: null,
    latestSeq: 0,
    mirrored: false,
    ...freshUserState(),
  }
}

/** A capture (or a backlog found at start) opens the burst or extends it. */
const burstAt = (state: EngineState, at: number) => ({ burstFirst: state.burstFirst ?? at, burstLast: at })

/** The next state after `event`; pure, so every rule of the schedule can be tested without timers or storage. */
export function reduce(state: EngineState, event: StateEvent): EngineState {
  switch (event.type) {
    case 'started':
      // Two-way sync pulls once after every start.
      return {
        ...state,
        started: true,
        online: event.online,
        periodicFrom: event.at,
        pullAt: state.pulls ? event.at : state.pullAt,
      }
    case 'stopped':
      return { ...state, started: false }
    case 'captured': {
      const latestSeq = Math.max(state.latestSeq, event.seq)
      if (!event.mine) return { ...state, latestSeq }
      return {
        ...state,
        latestSeq,
        bufferedEvents: state.bufferedEvents + 1,
        // A lower bound known at once, so the status is right when the write resolves; the recount makes it exact.
        pendingChanges: Math.max(state.pendingChanges, event.keys),
        ...burstAt(state, event.at),
      }
    }
    case 'seq-seen':
      return { ...state, latestSeq: Math.max(state.latestSeq, event.seq) }
    case 'counted':
      return {
        ...state,
        // A count older than the latest capture may miss it: keep the capture's lower bound until the next count.
        pendingChanges:
          event.coveredSeq < state.latestSeq ? Math.max(event.pending, state.pendingChanges) : event.pending,
        countedSeq: event.coveredSeq,
      }
    case 'backlog-found':
      return state.pendingChanges > 0 ? { ...state, ...burstAt(state, event.at) } : state
    case 'online-changed':
      return { ...state, online: event.online, reconnectAt: event.reconnectAt }
    case 'attempt-started':
      if (event.pullOnly) return { ...state, inFlight: true, pullAt: null }
      return {
        ...state,
        inFlight: true,
        burstFirst: null,
        burstLast: null,
        reconnectAt: null,
        pullAt: null,
        bufferedEvents: 0,
      }
    case 'attempt-ended':
      return ended(state, event)
    case 'enabled-changed':
      return { ...state, enabled: event.enabled, authPaused: false }
    case 'auth-resumed':
      return { ...state, authPaused: false }
    case 'user-switched':
      return { ...state, userId: event.userId, ...freshUserState() }
    case 'pull-wanted':
      return { ...state, pullAt: event.at }
    case 'pulls-changed':
      return { ...state, pulls: event.pulls, pullAt: event.pulls ? state.pullAt : null }
    case 'leader-changed':
      return { ...state, mirrored: false }
    case 'leader-status-heard':
      return { ...state, mirrored: true }
    case 'timer-fired':
      // The open breaker allows one trial attempt at its recovery time.
      return state.disabledUntil !== null && event.at >= state.disabledUntil ? { ...state, disabledUntil: null } : state
  }
}

function ended(state: EngineState, event: Extract<StateEvent, { type: 'attempt-ended' }>): EngineState {
  const idle = { ...state, inFlight: false }
  if (event.outcome === 'aborted') return idle
  // A pull on its own moves neither the push throttle nor a success's reset of failures: only pushes do.
  const timing = event.pullOnly ? { periodicFrom: event.at } : { lastEndedAt: event.at, periodicFrom: event.at }
  if (event.outcome === 'succeeded') {
    if (event.pullOnly) return { ...idle, ...timing }
    return { ...idle, ...timing, failures: 0, breakerOpen: false, retryAt: null, disabledUntil: null }
  }
  // An auth failure pauses without counting toward the breaker.
  if (event.outcome === 'auth') return { ...idle, ...timing, authPaused: true }
  const { retryAt, disabledUntil } = event
  return {
    ...idle,
    ...timing,
    failures: state.failures + 1,
    retryAt,
    disabledUntil,
    breakerOpen: disabledUntil !== null,
  }
}
