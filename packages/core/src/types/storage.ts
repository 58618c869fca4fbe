import type { Clock, Logger } from './runtime'

/** A record key autosync can address in every adapter: a string or a finite number. */
export type RecordKey = string | number

/**
 * The shape of a database in the style of idb's `DBSchema`:
 * `interface AppSchema extends StorageSchema { notes: { key: string; value: Note; indexes: { byUser: string } } }`.
 */
export interface StorageSchema {
  [table: string]: StorageTableSchema
}

export interface StorageTableSchema {
  key: RecordKey
  value: Record<string, unknown>
  indexes?: Record<string, IDBValidKey>
}

export type TableName<S extends StorageSchema> = keyof S & string
export type TableKey<S extends StorageSchema, T extends TableName<S>> = S[T]['key']
export type TableValue<S extends StorageSchema, T extends TableName<S>> = S[T]['value']

export interface TableDefinition {
  /** The record field holding its key (out-of-line and compound keys are not supported). */
  keyPath: string
  /** Index name → field (or fields for a compound index). */
  indexes?: Record<string, string | string[]>
  /** Keys must be addressable by every adapter (no `/`, `..`, control characters…). Default `true`; turn off for local-only tables. */
  strictKeys?: boolean
  /** Whether writes to this table are captured in the outbox at all. Default `true`. */
  sync?: boolean
}

export interface StorageOptions<S extends StorageSchema = StorageSchema> {
  /** IndexedDB database name; must be non-empty. */
  name: string
  /** Bump when tables or indexes change. Positive integer. */
  version: number
  tables: { [T in TableName<S>]: TableDefinition }
  /** Record field naming the owning user; pending changes are partitioned by it. Optional. */
  userIdField?: string
  /** IDBFactory used instead of the global `indexedDB`. */
  indexedDB?: IDBFactory
  /** Largest accepted record, as UTF-8 JSON bytes. Default 1 MiB. */
  maxRecordBytes?: number
  /** Default for tables that do not set `strictKeys`. Default `true`. */
  strictKeys?: boolean
  /** How long an upgrade blocked by another tab may wait before failing with a StorageError. Default 10,000 ms. */
  blockedTimeoutMs?: number
  /** Owner of changes whose record names no user. Default `null` (changed later by `setActiveUser`). */
  activeUserId?: string | null
  /** Share events with other tabs over BroadcastChannel. Default `true` where the platform has it. */
  broadcast?: boolean
  logger?: Logger
  clock?: Clock
}

export type StorageEventType = 'create' | 'update' | 'delete' | 'clear'
export type StorageEventOrigin = 'local' | 'tab' | 'remote'

/** Emitted after commit, never for an aborted transaction. */
export interface StorageEvent<Value = Record<string, unknown>> {
  type: StorageEventType
  table: string
  /** Absent for `clear`. */
  key?: RecordKey
  value?: Value
  previous?: Value
  changedFields?: string[]
  userId: string | null
  timestamp: number
  origin: StorageEventOrigin
  /** Set when a capture filter (a plugin's `skip`) kept this change out of the outbox: the reason. */
  skipped?: string
  /** The outbox version of this change, when it was captured. */
  seq?: number
}

export type StorageEventListener = (event: StorageEvent) => void

export interface StorageEventBus {
  on(table: string, listener: StorageEventListener): () => void
  onAny(listener: StorageEventListener): () => void
  /**
   * Once per committed transaction (or per message from another tab), with all of its events in order:
   * refresh a list once per `bulkPut` instead of once per record.
   */
  onCommit(listener: (events: readonly StorageEvent[]) => void): () => void
}

/** Lifecycle of the IndexedDB connection. */
export type StorageLifecycleEvent =
  | { type: 'version-changed'; newVersion: number | null }
  | { type: 'reopened' }
  | { type: 'closed'; reason: 'close' | 'version-change' | 'unexpected' }
  | {
      type: 'captured'
      seq: number
      userIds: (string | null)[]
      origin: 'local' | 'tab'
      /** Distinct records this commit queued (local commits only): all of them are pending now. */
      keys?: number | undefined
    }

/**
 * Decides at capture time, inside the write's transaction and synchronously, whether a change
 * enters the outbox. Return `false` to capture, or a reason string to skip it.
 */
export type CaptureFilter = (event: StorageEvent) => false | string

/** One table as the storage validates it. */
export interface TableConfig {
  name: string
  keyPath: string
  strictKeys: boolean
  sync: boolean
}

/** What a write needs besides the transaction: schema, limits, owner and filters. */
export interface WriteContext {
  tables: ReadonlyMap<string, TableConfig>
  maxRecordBytes: number
  userIdField: string | undefined
  activeUserId(): string | null
  filters: ReadonlySet<CaptureFilter>
  clock: Clock
  logger: Logger
  /** Whether IndexedDB accepts this key (the factory's `cmp`), for non-strict tables. */
  isKey(key: unknown): boolean
}

/**
 * What the engine lends an extension of the storage it syncs: the connection for its own transactions (a pull
 * writes records, outbox and cursor in one), the validation context remote input is checked with, and delivery of
 * the events those transactions produce.
 */
export interface StorageAccess {
  database(): Promise<IDBDatabase>
  readonly context: WriteContext
  /** Delivers committed events here and to other tabs; `seq` and `userIds` announce changes queued for push. */
  announce(events: StorageEvent[], seq?: number, userIds?: (string | null)[]): void
}

/** One coalesced pending change for a (table, key), as the outbox holds it. */
export interface PendingChange {
  table: string
  key: RecordKey
  op: 'put' | 'delete'
  /** Full latest value for `put`. */
  value?: Record<string, unknown>
  /** Union of changed fields when every coalesced write was an update; absent means the whole record. */
  changedFields?: string[]
  /** Whether the record did not exist before the first pending write (a create). */
  created: boolean
  /** The latest outbox version folded into this change; acknowledging it removes every version up to it. */
  seq: number
  /** The earliest outbox version folded into this change. */
  firstSeq: number
  /** When the latest folded write happened (epoch ms). */
  timestamp: number
  userId: string | null
}

export interface OutboxReadOptions {
  /** Only this user's changes (`null`: changes owned by nobody). */
  userId: string | null
  /** Changes whose first version is after this `seq` (for paging through a backlog). */
  afterSeq?: number
  /** At most this many coalesced changes. */
  limit?: number
}

export interface OutboxSummary {
  /** Coalesced pending changes per table. */
  tables: Record<string, { pending: number; oldestTimestamp: number | null }>
  total: number
  oldestTimestamp: number | null
}

/** The persisted outbox. Acknowledging by version keeps edits made after the read. */
export interface Outbox {
  read(options: OutboxReadOptions): Promise<PendingChange[]>
  /** Number of coalesced pending changes, for one user or all. */
  count(options?: { userId?: string | null }): Promise<number>
  summary(options?: { userId?: string | null }): Promise<OutboxSummary>
  /**
   * Removes every version of each (table, key) up to and including the given `seq`. When a version
   * carries `userId` (a PendingChange does), only that user's versions are removed.
   */
  acknowledge(
    versions: ReadonlyArray<Pick<PendingChange, 'table' | 'key' | 'seq'> & { userId?: string | null }>,
  ): Promise<void>
  /** Removes one user's pending changes; returns how many coalesced changes were removed. */
  purgeUser(userId: string | null): Promise<number>
  /**
   * Records that these creates were handed to an adapter (the backend may hold them even without an
   * ack), so a later delete of the record is kept as a delete instead of cancelling the create.
   */
  markSent?(versions: ReadonlyArray<Pick<PendingChange, 'table' | 'key' | 'seq'>>): Promise<void>
}

export interface DeadLetter {
  id: string
  change: PendingChange
  reason: string
  /** The adapter error kind, or `rejected` for a per-change rejection. */
  kind: string
  status?: number
  failedAt: number
  userId: string | null
  /**
   * `pull` for a remote change refused on arrival (two-way sync); absent for pushes. A pull letter's `change`
   * names the table, key and op of the remote change; it was never queued, so its `seq` and `firstSeq` are 0.
   */
  direction?: 'push' | 'pull'
}

/** Changes the backend refused for good: visible, retryable, discardable, never blocking the queue. */
export interface DeadLetterStore {
  list(options?: { userId?: string | null }): Promise<DeadLetter[]>
  count(options?: { userId?: string | null }): Promise<number>
  /** In one transaction: acknowledges the changes in the outbox and stores them as dead letters. */
  add(entries: ReadonlyArray<Omit<DeadLetter, 'id'>>): Promise<DeadLetter[]>
  /** Re-queues the record's current state (put, or delete if it is gone) and removes the dead letter. */
  retry(id: string): Promise<void>
  discard(id: string): Promise<void>
}

/** Small persisted key-value store (client id, last sync time). */
export interface MetadataStore {
  get<T = unknown>(key: string): Promise<T | undefined>
  set(key: string, value: unknown): Promise<void>
}

/** The writes of one table, in a transaction or on the storage itself. */
export interface StorageTransaction<S extends StorageSchema = StorageSchema> {
  get<T extends TableName<S>>(table: T, key: TableKey<S, T>): Promise<TableValue<S, T> | undefined>
  put<T extends TableName<S>>(table: T, value: TableValue<S, T>): Promise<void>
  add<T extends TableName<S>>(table: T, value: TableValue<S, T>): Promise<void>
  /** Shallow merge into an existing record; records the changed fields. */
  update<T extends TableName<S>>(
    table: T,
    key: TableKey<S, T>,
    changes: Partial<TableValue<S, T>>,
  ): Promise<TableValue<S, T>>
  delete<T extends TableName<S>>(table: T, key: TableKey<S, T>): Promise<void>
  clear<T extends TableName<S>>(table: T): Promise<void>
}

export interface Storage<S extends StorageSchema = StorageSchema> extends StorageTransaction<S> {
  readonly name: string
  /** Stable id of this browser profile's database, kept in the metadata store. */
  readonly clientId: string
  /** Tables whose writes are captured. */
  readonly syncedTables: readonly TableName<S>[]
  readonly userIdField: string | undefined
  readonly events: StorageEventBus
  readonly outbox: Outbox
  readonly deadLetters: DeadLetterStore
  readonly metadata: MetadataStore

  getAll<T extends TableName<S>>(table: T, query?: IDBKeyRange | null, count?: number): Promise<TableValue<S, T>[]>
  count<T extends TableName<S>>(table: T, query?: IDBKeyRange | null): Promise<number>
  bulkPut<T extends TableName<S>>(table: T, values: readonly TableValue<S, T>[]): Promise<void>
  /** Several writes as one atomic unit: a throw aborts every one of them. Await only `tx` calls inside. */
  transaction<R>(tables: readonly TableName<S>[], callback: (tx: StorageTransaction<S>) => Promise<R>): Promise<R>

  /** Owner of captured changes whose record names no user. */
  setActiveUser(userId: string | null): void
  /** Adds a capture-time filter (plugins' `skip`); returns a function that removes it. */
  addCaptureFilter(filter: CaptureFilter): () => void
  /** Connection lifecycle and capture notifications (used by the sync engine). */
  onLifecycle(listener: (event: StorageLifecycleEvent) => void): () => void
  close(): void
}
