/** The latest state of one record of one user; `value: null` is a tombstone. */
export interface StoredRecord {
  table: string
  /** The record key as JSON text (`"a"` or `42`), so string and number keys never collide. */
  key: string
  value: Record<string, unknown> | null
  /** Decimal server revision of the change that produced this state. */
  revision: string
  changeId: string
  /** The writer's clock (epoch ms) when it captured that change; pulled with it for last-write-wins. */
  timestamp: number
  /** Per client, the `seq` of its last change applied to this record: the stale-change rule. */
  clientSeqs: Record<string, number>
}

/** A record to write, with its value already serialized (`null` for a tombstone); the store assigns its revision. */
export type RecordWrite = Omit<StoredRecord, 'revision'> & { valueText: string | null }

/** The first answer to a push batch, kept to answer replays verbatim. */
export interface StoredBatch {
  batchId: string
  requestHash: string
  /** The JSON text of the first answer. */
  response: string
  /** When the answer was stored, in milliseconds since the epoch; `pruneBatches` compares it. Default: now. */
  createdAt?: number
  /** The client that pushed it: live hints name it, so that client skips the hint of its own push. Not stored. */
  clientId?: string
}

export interface StoredBackup {
  backupId: string
  requestHash: string
  /** The JSON text of the snapshot as the client sent it (with `userId` set to its owner). */
  snapshot: string
  records: number
}

/**
 * Operations available inside one push transaction, all scoped to its user. A push may start `findBatch` with
 * `readState`, and `writeRecords` with `finishBatch`, without waiting in between: a store runs them in call order.
 */
export interface PushTransaction {
  findBatch(batchId: string): Promise<StoredBatch | null>
  /**
   * Which of `changeIds` were settled before (`applied`; among them, `rejected` maps those refused for good to their
   * code), and the stored records among `addresses` (by `recordAddress`).
   */
  readState(
    changeIds: readonly string[],
    addresses: readonly { table: string; key: string }[],
  ): Promise<{ applied: Set<string>; rejected: Map<string, string>; records: Map<string, StoredRecord> }>
  /** Upserts the records, giving each a new server-wide revision, increasing in the order given; resolves with them. */
  writeRecords(records: readonly RecordWrite[]): Promise<string[]>
  /**
   * Remembers the newly applied change ids, the ones rejected for good (with their code: a replay, even after the
   * batch answer is pruned, is answered the same and never applies them), and the batch's first answer.
   */
  finishBatch(
    appliedChangeIds: readonly string[],
    batch: StoredBatch,
    rejected?: readonly { changeId: string; code: string }[],
  ): Promise<void>
}

/**
 * Storage behind the sync server. Implementations: `createSqliteStore` (embedded default) and
 * `createPostgresStore` (production). Every method is scoped to one user.
 */
export interface SyncStore {
  readonly database: 'sqlite' | 'postgres'
  /**
   * Runs `work` in one database transaction holding the user's lock, so pushes of one user are serialized
   * (across server instances too) and commit in revision order. Rolls back when `work` throws.
   */
  runPushTransaction<T>(userId: string, work: (transaction: PushTransaction) => Promise<T>): Promise<T>
  /** Records whose revision is greater than `afterRevision` (all when null), in revision order. */
  readChangesAfter(userId: string, afterRevision: string | null, limit: number): Promise<StoredRecord[]>
  /** Stores a backup unless one with the same id exists; returns what is stored under that id. */
  saveBackup(userId: string, backup: StoredBackup): Promise<StoredBackup>
  /** One backup by id, or the most recently stored one when `backupId` is null. */
  readBackup(userId: string, backupId: string | null): Promise<StoredBackup | null>
  /**
   * Deletes the batch answers of every user stored before `createdBefore` (milliseconds since the epoch) and returns
   * how many. A replay of a pruned batch is answered again from the applied change ids: nothing is applied twice.
   */
  pruneBatches(createdBefore: number): Promise<number>
  /**
   * Hears every committed push of every instance on this database (PostgreSQL: `LISTEN/NOTIFY`), so a live stream
   * held by one instance hears a push applied by another. `onLost` says notifications may have been missed (the
   * listening connection broke). Absent where one process is the only writer (SQLite): the server hints itself.
   */
  listenForCommits?(
    onCommit: (userId: string, clientId: string) => void,
    onLost: () => void,
  ): Promise<() => Promise<void>>
  /** Throws when the database cannot answer. */
  ping(): Promise<void>
  close(): Promise<void>
}

/** The identity of a record inside one user's data. */
export function recordAddress(table: string, key: string): string {
  return `${table}\u0000${key}`
}
