import type { Logger } from './runtime'
import type { RecordKey } from './storage'

export interface Change {
  /** `clientId:seq`, stable across retries and reloads. */
  changeId: string
  table: string
  key: RecordKey
  op: 'put' | 'delete'
  value?: Record<string, unknown>
  /** Present on updates for adapters that can send partial updates. */
  changedFields?: string[]
  seq: number
  timestamp: number
  /**
   * Two-way sync: the revision of the record this device last saw (pulled or acknowledged), `null` for a
   * record it never saw. Absent when the engine runs push-only. Kept through coalescing.
   */
  baseRevision?: string | null
}

export interface PushBatch {
  /** Stable when exactly this batch is retried. */
  batchId: string
  clientId: string
  userId: string | null
  changes: Change[]
}

/** An ack that names an unknown id or omits a pushed one leaves that change pending. */
export interface PushResult {
  accepted: string[]
  /** Permanent refusals go to dead letters, except `reason: 'conflict'`, which stays pending and triggers a pull. */
  rejected?: { changeId: string; reason: string }[]
  /** changeId → the revision the backend gave that accepted change; core keeps it as the record's base. */
  revisions?: Record<string, string>
}

export interface AdapterContext {
  signal: AbortSignal
  userId: string | null
  clientId: string
  logger: Logger
}

export interface AdapterCapabilities {
  maxBatchSize: number
  partialUpdates: boolean
  pull: boolean
  backup: boolean
  /** `subscribe` exists: the backend hints when new remote changes exist. Default false. */
  live?: boolean
  /** The backend refuses a change whose `baseRevision` is stale with `rejected: [{ reason: 'conflict' }]`. Default false. */
  conditionalWrites?: boolean
}

/** A change as the backend reports it on pull. */
export interface RemoteChange {
  table: string
  key: RecordKey
  op: 'put' | 'delete'
  /** The whole record after the change (puts), or only `changedFields` of it when those are given. */
  value?: Record<string, unknown>
  /** The backend's opaque revision of this record version; only the backend's own order compares them. */
  revision: string
  /** The writer's `changeId` (`clientId:seq`), so a device recognises its own echo; absent for writes made outside autosync. */
  changeId?: string
  /** A partial update: only these fields of `value` changed; they merge into the stored record. */
  changedFields?: string[]
  /** The writer's clock (epoch ms) when the change was captured; `lastWriteWins` compares it. */
  timestamp: number
  /** Log backends (S3): the revision the writer had seen, so every device folds the log the same way. */
  baseRevision?: string | null
}

export interface PullRequest {
  /** Opaque server cursor; `null` pulls from the beginning. */
  cursor: string | null
  limit: number
  userId: string | null
}

export interface PullResponse {
  /** In the backend's order; the page is applied in one IndexedDB transaction with the cursor. */
  changes: RemoteChange[]
  /** Where the next pull starts; persisted with the page. */
  cursor: string | null
  hasMore: boolean
}

export interface BackupSnapshot {
  backupId: string
  clientId: string
  userId: string | null
  createdAt: number
  /** Table → every record of the active user in that table. */
  tables: Record<string, Record<string, unknown>[]>
}

export interface BackupResult {
  backupId: string
  /** Where the adapter stored it (object key, document path, URL without credentials). */
  location?: string
  records: number
}

export interface RestoreRequest {
  userId: string | null
  /** A particular backup; the latest when absent. */
  backupId?: string
}

export interface RestoreResponse {
  snapshot: BackupSnapshot | null
  /** The pull cursor the snapshot corresponds to; after restoring, pulling starts there (`null`: from the beginning). */
  cursor?: string | null
}

/** The adapter contract, specification `v1`. A plain object returned by a factory. */
export interface SyncAdapter {
  readonly name: string
  readonly specificationVersion: 'v1'
  readonly capabilities: AdapterCapabilities
  push(batch: PushBatch, context: AdapterContext): Promise<PushResult>
  pull?(request: PullRequest, context: AdapterContext): Promise<PullResponse>
  backup?(snapshot: BackupSnapshot, context: AdapterContext): Promise<BackupResult>
  restore?(request: RestoreRequest, context: AdapterContext): Promise<RestoreResponse>
  /**
   * Capability `live`: calls `onHint` whenever new remote changes may exist (a hint, never data); core pulls
   * after it. Returns an unsubscribe function; `context.signal` aborts too.
   */
  subscribe?(context: AdapterContext, onHint: () => void): () => void
  dispose?(): Promise<void>
}
