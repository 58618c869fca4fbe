import type { AdapterErrorKind } from '../errors'
import type { AdapterContext, BackupResult, Change, PushResult, RemoteChange, SyncAdapter } from './adapter'
import type { Clock, Logger, Network, Random } from './runtime'
import type {
  DeadLetter,
  OutboxSummary,
  RecordKey,
  Storage,
  StorageAccess,
  StorageEvent,
  StorageSchema,
} from './storage'

export type SyncPhase = 'idle' | 'buffering' | 'throttled' | 'syncing' | 'backoff' | 'disabled' | 'offline' | 'stopped'

export interface SyncProgress {
  total: number
  done: number
  batches: number
}

export interface SyncErrorInfo {
  message: string
  kind: AdapterErrorKind | 'unknown'
  status?: number
  retryable: boolean
  at: number
}

/** An immutable snapshot; the first eight fields are the seed's. */
export interface SyncStatus {
  readonly isEnabled: boolean
  readonly isInitialized: boolean
  readonly userId: string | null
  readonly lastSyncTime: number | null
  readonly hasPendingSync: boolean
  readonly consecutiveFailures: number
  readonly bufferedEvents: number
  readonly isRetrying: boolean
  readonly phase: SyncPhase
  /** Coalesced changes in the persisted outbox for the active user. */
  readonly pendingChanges: number
  readonly nextSyncAt: number | null
  readonly disabledUntil: number | null
  readonly isOnline: boolean
  readonly isLeader: boolean
  readonly lastError: SyncErrorInfo | null
  readonly progress: SyncProgress | null
  readonly deadLetters: number
  /** Two-way sync (present once `twoWay()` is used): when the last pull ended successfully. */
  readonly lastPullTime?: number | null
  /** The persisted cursor the next pull starts from. */
  readonly pullCursor?: string | null
  /** The running pull's pages and applied changes, `null` between pulls. */
  readonly pullProgress?: { pages: number; applied: number } | null
  /** Conflicts resolved since the engine started. */
  readonly conflicts?: number
}

/** What `autoSync.pull()` resolves with. */
export interface PullResult {
  /** Remote changes written to IndexedDB (own echoes already held are not counted). */
  applied: number
  /** Conflicts with pending local changes that the resolver settled. */
  conflicts: number
}

export interface RestoreOptions {
  /** A particular backup; the latest when absent. */
  backupId?: string
  /** Replace the records even though local changes are pending, dropping them. Default false. */
  discardPending?: boolean
}

export interface RestoreOutcome {
  backupId: string
  /** Records written from the snapshot. */
  records: number
}

/** What the resolver decided for one conflict (see `conflict-resolved`). */
export type ConflictChoice = 'local' | 'remote' | 'merged' | 'deleted'

export interface BackoffPolicy {
  /** Delay before the next attempt after the `failures`-th consecutive failure (1-based). */
  delay(failures: number, random: Random): number
  readonly maxMs: number
}

export interface PluginContext {
  userId: string | null
  clientId: string
}

export interface SyncPlugin {
  name: string
  /** `true` or a reason string keeps the change from the adapter (reported as `change-skipped`). */
  skip?(event: StorageEvent, context: PluginContext): boolean | string
  /** Rewrite a change before push, or `null` to drop it (acknowledged locally, never sent). */
  transform?(change: Change, context: PluginContext): Change | null
  /**
   * The pull side of `transform`: rewrite a remote change (already checked like a local write) before it is
   * applied or settled against local edits, or `null` to leave it unapplied. Its output is checked again; a
   * throw refuses that change alone as a pull dead letter (the rest of the page applies). Needs `twoWay()`.
   */
  transformRemote?(change: RemoteChange, context: PluginContext): RemoteChange | null
  /**
   * Called when the plugin joins a running or starting engine (and again after `stop()` then `start()`); returns
   * a teardown. `host` extends the engine itself: push hooks, a pull cycle, `pull()` and `restore()`.
   */
  setup?(autoSync: AutoSync, host: SyncHost): (() => void) | void
}

/**
 * A typed extension of one engine (`host.extend`), as `twoWay()` uses it. Push hooks run for every extension in
 * the order they were added; at most one extension brings a pull cycle.
 */
export interface SyncExtension {
  /** Names the extension in errors, e.g. a second pull cycle. */
  name: string
  /** Before a batch goes to the adapter (e.g. base revisions); a throw fails the attempt, the batch stays queued. */
  beforePush?(changes: Change[]): Promise<void>
  /** After the adapter answered a batch, before its changes are acknowledged. */
  afterPush?(result: PushResult, changes: readonly Change[]): Promise<void>
  /** Pulls every page in an attempt (after the push); resolves `true` when it queued changes that wait to be pushed. */
  pullCycle?(context: AdapterContext): Promise<boolean>
  /** Run the pull cycle before the push too (backends without conditional writes settle conflicts first). */
  pullFirst?: boolean
  /** Backs `autoSync.pull()` while the extension is in use. */
  pull?(): Promise<PullResult>
  /** Backs `autoSync.restore()` while the extension is in use. */
  restore?(options?: RestoreOptions): Promise<RestoreOutcome>
}

/** What an engine offers a plugin's `setup` besides the public `AutoSync` (second argument). */
export interface SyncHost {
  /** Adds an extension; the returned disposer removes it (and its pull cycle, `pull()` and `restore()`). */
  extend(extension: SyncExtension): () => void
  /** Asks for an attempt soon (a live hint, a visible page): it runs when the schedule allows, never throttled by pushes. */
  requestPull(): void
  /** The active user. */
  readonly userId: string | null
  /** `start()` ran and `stop()` did not. */
  readonly started: boolean
  /** This tab runs the syncs for its database and user. */
  isLeader(): boolean
  /** Emits a lifecycle event (`at` defaults to now). */
  emit(event: SyncLifecycleInput): void
  /** Sets status fields the engine does not derive itself (pull progress, cursor, conflicts, last error). */
  report(status: Partial<SyncStatus>): void
  /** Recounts the active user's pending changes and dead letters. */
  recount(): Promise<void>
  /** Aborts the running attempt and waits until it settled. */
  abort(): Promise<void>
  /** The engine's plugins in order, for an extension that applies their hooks (`transformRemote` on pull). */
  readonly plugins: readonly SyncPlugin[]
  /**
   * The storage's connection, validation context and event delivery, for an extension's own transactions;
   * `undefined` when the engine's storage is not one from `openStorage()` (a hand-made `Storage`).
   */
  readonly storage: StorageAccess | undefined
  readonly clock: Clock
  readonly logger: Logger
}

/** A lifecycle event as a plugin or the engine emits it: `at` defaults to the clock's now. */
export type SyncLifecycleInput = SyncLifecycleEvent extends infer Event
  ? Event extends SyncLifecycleEvent
    ? Omit<Event, 'at'> & { at?: number }
    : never
  : never

export type SyncLifecycleEvent =
  | { type: 'sync-started'; changes: number; at: number }
  | { type: 'sync-succeeded'; changes: number; durationMs: number; at: number }
  | { type: 'sync-failed'; error: SyncErrorInfo; consecutiveFailures: number; nextSyncAt: number | null; at: number }
  | { type: 'sync-disabled'; reason: 'circuit-breaker' | 'manual'; disabledUntil: number | null; at: number }
  | { type: 'sync-enabled'; reason: 'recovered' | 'manual' | 'sync-now'; at: number }
  | { type: 'change-skipped'; table: string; key?: StorageEvent['key']; plugin: string; reason: string; at: number }
  | { type: 'change-dead-lettered'; deadLetter: DeadLetter; at: number }
  | { type: 'auth-required'; error: SyncErrorInfo; at: number }
  | { type: 'leader-changed'; isLeader: boolean; at: number }
  | { type: 'user-switched'; previousUserId: string | null; userId: string | null; at: number }
  | { type: 'backup-succeeded'; result: BackupResult; at: number }
  | { type: 'change-captured'; event: StorageEvent; at: number }
  | { type: 'pull-started'; cursor: string | null; at: number }
  | {
      type: 'pull-succeeded'
      /** Remote changes applied and conflicts resolved by this pull (the cursor is in the status). */
      applied: number
      conflicts: number
      durationMs: number
      at: number
    }
  | { type: 'pull-failed'; error: SyncErrorInfo; at: number }
  | {
      type: 'conflict-resolved'
      table: string
      key: RecordKey
      /** The policy's choice: the remote value, the local one, a merge of both, or a delete. */
      choice: ConflictChoice
      /** The local record the pending change left (`null`: it deleted it); what a `remote` choice discarded. */
      local: Record<string, unknown> | null
      /** The remote record (`null`: a delete); what a `local` choice discarded. */
      remote: Record<string, unknown> | null
      /** Why the policy chose, in one sentence naming fields and clocks, never values; absent when it has no `explain`. */
      reason?: string
      at: number
    }

export type SyncLifecycleEventType = SyncLifecycleEvent['type']
export type SyncLifecycleEventOf<T extends SyncLifecycleEventType> = Extract<SyncLifecycleEvent, { type: T }>

export interface AutoSyncOptions<S extends StorageSchema = StorageSchema> {
  storage: Storage<S>
  adapter: SyncAdapter
  /** The active user; their changes are pushed with their credentials. */
  userId: string | null
  plugins?: SyncPlugin[]
  /** Quiet time after the last change of a burst before a sync starts. Default 2,000 ms. */
  bufferMs?: number
  /** Latest start of a sync after the first change of a burst. Default 10,000 ms. */
  maxBufferMs?: number
  /** Least gap between the end of one automatic attempt and the start of the next. Default 5,000 ms. */
  minIntervalMs?: number
  /** Fallback sync while anything is pending; `0` turns it off. Default 60,000 ms. */
  periodicSyncMs?: number
  /** Default `exponentialBackoff({ initialMs: 5_000, factor: 2, maxMs: 300_000, jitter: 0.5 })`. */
  backoff?: BackoffPolicy
  /** Failures in a row that open the circuit breaker. Default 5. */
  maxConsecutiveFailures?: number
  /** How long the open breaker keeps auto-sync disabled. Default 300,000 ms. */
  recoveryMs?: number
  /** Changes per pushed batch, capped by the adapter's `maxBatchSize`. Default 500. */
  batchSize?: number
  clock?: Clock
  random?: Random
  network?: Network
  /** Default: console at `warn`. */
  logger?: Logger
}

export interface DeadLetterActions {
  list(): Promise<DeadLetter[]>
  retry(id: string): Promise<void>
  discard(id: string): Promise<void>
}

export interface AutoSync {
  start(): Promise<void>
  /**
   * Stops syncing (start() resumes). `dispose: true` stops for good: the adapter's `dispose()` is called too.
   * Default false.
   */
  stop(options?: { dispose?: boolean }): Promise<void>
  /** Pushes at once, bypassing buffer, throttle, backoff and a disabled state; success re-arms the breaker. */
  syncNow(): Promise<void>
  /** A full snapshot of the synced tables through `adapter.backup`. */
  backup(): Promise<BackupResult>
  /**
   * Two-way sync: pulls every page until the backend has no more, resolving conflicts. Rejects with an
   * `AutoSyncError` (`code: 'pull-not-enabled'`) without the `twoWay()` plugin.
   */
  pull(): Promise<PullResult>
  /**
   * Replaces the active user's records in the synced tables with a backup (the latest unless `backupId`), then
   * pulls what came after it. Refuses (`code: 'restore-would-discard'`) while changes are pending unless
   * `discardPending: true`.
   */
  restore(options?: RestoreOptions): Promise<RestoreOutcome>
  setEnabled(enabled: boolean): void
  switchUser(userId: string | null): Promise<void>
  /** Removes one user's local pending data. */
  purgeUser(userId: string | null): Promise<void>
  use(plugin: SyncPlugin): () => void
  getStatus(): SyncStatus
  subscribe(listener: (status: SyncStatus) => void): () => void
  on<T extends SyncLifecycleEventType>(type: T, listener: (event: SyncLifecycleEventOf<T>) => void): () => void
  /** Outbox contents for inspection (devtools). */
  readonly outbox: { summary(): Promise<OutboxSummary> }
  readonly deadLetters: DeadLetterActions
  readonly storage: Storage
  readonly adapter: SyncAdapter
}
