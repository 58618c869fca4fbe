import type {
  AutoSync,
  DeadLetter,
  OutboxSummary,
  RecordKey,
  StorageEvent,
  SyncErrorInfo,
  SyncLifecycleEvent,
  SyncStatus,
} from '@autosync/core'
import type { DevtoolsOptions } from '../options'
import { previewValue } from './format'

/** Newest-first list that keeps at most `max` rows but counts every row ever added. */
export class CappedList<T> {
  items: T[] = []
  total = 0
  constructor(private readonly max: number) {}
  add(item: T): void {
    this.items.unshift(item)
    if (this.items.length > this.max) this.items.length = this.max
    this.total++
  }
  clear(): void {
    this.items = []
    this.total = 0
  }
}

export interface BufferedRow {
  table: string
  key: RecordKey | undefined
  type: StorageEvent['type']
  origin: StorageEvent['origin']
  timestamp: number
  preview: string | undefined
}

export interface FailureRow {
  at: number
  error: SyncErrorInfo
  attempt: number
  nextSyncAt: number | null
}

export interface SkippedRow {
  at: number
  table: string
  key: RecordKey | undefined
  plugin: string
  reason: string
}

export interface HistoryRow {
  at: number
  changes: number
  durationMs: number | null
  outcome: 'running' | 'succeeded' | 'failed'
  detail: string
}

export interface ConflictRow {
  at: number
  table: string
  key: RecordKey
  choice: 'local' | 'remote' | 'merged' | 'deleted'
  /** Why the policy chose (older engines send none). */
  reason?: string
}

export interface PanelModel {
  status: SyncStatus
  buffered: CappedList<BufferedRow>
  failures: CappedList<FailureRow>
  skipped: CappedList<SkippedRow>
  history: CappedList<HistoryRow>
  /** Conflicts settled by two-way sync's resolver. */
  conflicts: CappedList<ConflictRow>
  outbox: OutboxSummary | null
  deadLetters: DeadLetter[]
  /** Why auto-sync was last disabled, while it is. */
  disabledReason: 'circuit-breaker' | 'manual' | null
  readError: string | null
}

/** Collects what the panel shows from the public API only; `onChange` fires after every update. */
export function createModel(autoSync: AutoSync, options: DevtoolsOptions, onChange: () => void) {
  const model: PanelModel = {
    status: autoSync.getStatus(),
    buffered: new CappedList(200),
    failures: new CappedList(50),
    skipped: new CappedList(100),
    history: new CappedList(20),
    conflicts: new CappedList(50),
    outbox: null,
    deadLetters: [],
    disabledReason: null,
    readError: null,
  }
  let destroyed = false
  let reading = false
  let readAgain = false

  // Outbox and dead letters live in IndexedDB: read them again when the status says they changed.
  const refresh = async (): Promise<void> => {
    if (reading) {
      readAgain = true
      return
    }
    reading = true
    try {
      do {
        readAgain = false
        const [outbox, deadLetters] = await Promise.all([autoSync.outbox.summary(), autoSync.deadLetters.list()])
        if (destroyed) return
        model.outbox = outbox
        model.deadLetters = deadLetters
        model.readError = null
        onChange()
      } while (readAgain && !destroyed)
    } catch (error) {
      model.readError = error instanceof Error ? error.message : String(error)
      onChange()
    } finally {
      reading = false
    }
  }

  const onStatus = (status: SyncStatus) => {
    const previous = model.status
    model.status = status
    // The buffer window ended (a sync took it, or it was dropped): start a new one.
    if (previous.bufferedEvents > 0 && status.bufferedEvents === 0) model.buffered.clear()
    if (status.phase !== 'disabled') model.disabledReason = null
    if (
      previous.pendingChanges !== status.pendingChanges ||
      previous.deadLetters !== status.deadLetters ||
      previous.userId !== status.userId ||
      previous.phase !== status.phase
    ) {
      void refresh()
    }
    onChange()
  }

  const onStorageEvent = (event: StorageEvent) => {
    // Remote changes are never pushed and skipped ones are listed from `change-skipped`.
    if (event.origin === 'remote' || event.skipped !== undefined) return
    model.buffered.add({
      table: event.table,
      key: event.key,
      type: event.type,
      origin: event.origin,
      timestamp: event.timestamp,
      preview: options.showValues ? previewValue(event.value, options.sanitize) : undefined,
    })
    onChange()
  }

  const onLifecycle = (event: SyncLifecycleEvent) => {
    switch (event.type) {
      case 'sync-started':
        model.buffered.clear()
        model.history.add({ at: event.at, changes: event.changes, durationMs: null, outcome: 'running', detail: '' })
        break
      case 'sync-succeeded':
        finishRun(event.at, 'succeeded', event.durationMs, '', event.changes)
        break
      case 'sync-failed':
        model.failures.add({
          at: event.at,
          error: event.error,
          attempt: event.consecutiveFailures,
          nextSyncAt: event.nextSyncAt,
        })
        finishRun(event.at, 'failed', null, event.error.kind, null)
        break
      case 'auth-required':
        // Auth failures pause sync until sign-in instead of counting towards the breaker.
        model.failures.add({
          at: event.at,
          error: event.error,
          attempt: model.status.consecutiveFailures + 1,
          nextSyncAt: null,
        })
        finishRun(event.at, 'failed', null, event.error.kind, null)
        break
      case 'sync-disabled':
        model.disabledReason = event.reason
        break
      case 'conflict-resolved':
        // The reason only: the panel keeps no record values (they may be what encryption hides from the backend).
        model.conflicts.add({
          at: event.at,
          table: event.table,
          key: event.key,
          choice: event.choice,
          reason: event.reason,
        })
        break
      case 'change-skipped':
        model.skipped.add({
          at: event.at,
          table: event.table,
          key: event.key,
          plugin: event.plugin,
          reason: event.reason,
        })
        break
      default:
        break
    }
    void refresh()
    onChange()
  }

  const finishRun = (
    at: number,
    outcome: 'succeeded' | 'failed',
    durationMs: number | null,
    detail: string,
    changes: number | null,
  ) => {
    const running = model.history.items.find((row) => row.outcome === 'running')
    if (!running) {
      model.history.add({ at, changes: changes ?? 0, durationMs, outcome, detail })
      return
    }
    running.outcome = outcome
    running.durationMs = durationMs ?? at - running.at
    running.detail = detail
    if (changes !== null) running.changes = changes
  }

  const lifecycleTypes = [
    'sync-started',
    'sync-succeeded',
    'sync-failed',
    'sync-disabled',
    'sync-enabled',
    'change-skipped',
    'change-dead-lettered',
    'backup-succeeded',
    'user-switched',
    'leader-changed',
    'auth-required',
    'conflict-resolved',
  ] as const
  const teardowns = [
    autoSync.subscribe(onStatus),
    autoSync.storage.events.onAny(onStorageEvent),
    ...lifecycleTypes.map((type) => autoSync.on(type, onLifecycle as (event: SyncLifecycleEvent) => void)),
  ]
  void refresh()

  return {
    model,
    refresh,
    destroy() {
      destroyed = true
      for (const teardown of teardowns) teardown()
    },
  }
}
