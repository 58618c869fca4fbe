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
  rejected?: { changeId: string; reason: string }[]
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
}

/** A change as the backend reports it on pull. */
export interface RemoteChange {
  table: string
  key: RecordKey
  op: 'put' | 'delete'
  value?: Record<string, unknown>
  /** Server-side revision or timestamp, opaque to core. */
  revision?: string
  changeId?: string
}

export interface PullRequest {
  /** Opaque server cursor; `null` pulls from the beginning. */
  cursor: string | null
  limit: number
  userId: string | null
}

export interface PullResponse {
  changes: RemoteChange[]
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
  dispose?(): Promise<void>
}
