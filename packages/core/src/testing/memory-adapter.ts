import { AdapterError } from '../errors'
import type { BackupSnapshot, Change, PushBatch, RecordKey, RemoteChange, SyncAdapter } from '../types'
import type { AdapterFault } from './test-adapter'

export interface MemoryAdapterOptions {
  /** Default 100. */
  maxBatchSize?: number
  /** Merge `changedFields` of updates instead of replacing the record. Default true. */
  partialUpdates?: boolean
  /** Default `memory`. */
  name?: string
  /** Called for each push before it is applied; throw an AdapterError to simulate a backend failure. */
  onPush?(batch: PushBatch): void | Promise<void>
  /** Answer every push with this failure, classified as an HTTP adapter would (for the conformance suite). */
  fault?: AdapterFault
}

const retryableStatus = new Set([429, 500, 503])
const kindOfStatus: Record<number, AdapterError['kind']> = {
  401: 'auth',
  403: 'auth',
  404: 'protocol',
  409: 'conflict',
  413: 'protocol',
  429: 'rate-limited',
}

function faultError(fault: AdapterFault): AdapterError {
  if (fault.type === 'timeout')
    return new AdapterError('[autosync] [memory] Timed out', { kind: 'timeout', retryable: true })
  if (fault.type === 'malformed-body') {
    return new AdapterError('[autosync] [memory] Malformed response body', { kind: 'protocol', retryable: true })
  }
  return new AdapterError(`[autosync] [memory] HTTP ${fault.status}`, {
    kind: kindOfStatus[fault.status] ?? 'server',
    retryable: retryableStatus.has(fault.status),
    status: fault.status,
    ...(fault.retryAfterSeconds === undefined ? {} : { retryAfterMs: fault.retryAfterSeconds * 1_000 }),
  })
}

export interface AppliedChange {
  userId: string | null
  change: Change
}

export interface MemoryAdapter extends SyncAdapter {
  /** Records of a user: `table → key → value`. */
  records(userId: string | null): Map<string, Map<RecordKey, Record<string, unknown>>>
  /** Every push request received, including replays. */
  readonly requests: PushBatch[]
  /** Changes applied once each, in order. */
  readonly applied: AppliedChange[]
  /** Changes that arrived with a lower `seq` than one already applied to the same record. */
  readonly outOfOrder: AppliedChange[]
  readonly backups: BackupSnapshot[]
  reset(): void
}

const recordId = (table: string, key: RecordKey) => `${table}\u0000${typeof key}:${key}`

/**
 * An in-memory backend for tests: idempotent by `batchId` and `changeId`, data partitioned per user,
 * partial updates merged, pull and backup supported.
 * @example const adapter = createMemoryAdapter({ maxBatchSize: 50 })
 */
export function createMemoryAdapter(options: MemoryAdapterOptions = {}): MemoryAdapter {
  const partialUpdates = options.partialUpdates ?? true
  const users = new Map<string | null, Map<string, Map<RecordKey, Record<string, unknown>>>>()
  const seen = new Set<string>()
  const batches = new Map<string, string[]>()
  const lastSeq = new Map<string, number>()
  const log: { userId: string | null; remote: RemoteChange }[] = []
  const requests: PushBatch[] = []
  const applied: AppliedChange[] = []
  const outOfOrder: AppliedChange[] = []
  const backups: BackupSnapshot[] = []

  const tablesOf = (userId: string | null) => {
    const tables = users.get(userId) ?? new Map()
    users.set(userId, tables)
    return tables
  }

  function apply(userId: string | null, change: Change): void {
    const scoped = `${userId}\u0000${change.changeId}`
    if (seen.has(scoped)) return
    seen.add(scoped)
    const id = `${userId}\u0000${recordId(change.table, change.key)}`
    if ((lastSeq.get(id) ?? -1) > change.seq) outOfOrder.push({ userId, change })
    lastSeq.set(id, Math.max(lastSeq.get(id) ?? -1, change.seq))
    const tables = tablesOf(userId)
    const table = tables.get(change.table) ?? new Map<RecordKey, Record<string, unknown>>()
    tables.set(change.table, table)
    if (change.op === 'delete') table.delete(change.key)
    else {
      const current = table.get(change.key)
      const value = structuredClone(change.value ?? {})
      if (partialUpdates && change.changedFields && current) {
        const merged = { ...current }
        for (const field of change.changedFields) {
          if (field in value) merged[field] = value[field]
          else delete merged[field]
        }
        table.set(change.key, merged)
      } else table.set(change.key, value)
    }
    applied.push({ userId, change })
    log.push({
      userId,
      remote: {
        table: change.table,
        key: change.key,
        op: change.op,
        value: table.get(change.key),
        changeId: change.changeId,
        revision: String(log.length + 1),
        timestamp: change.timestamp,
      },
    })
  }

  return {
    name: options.name ?? 'memory',
    specificationVersion: 'v1',
    capabilities: { maxBatchSize: options.maxBatchSize ?? 100, partialUpdates, pull: true, backup: true },
    async push(batch, context) {
      requests.push(batch)
      if (context.signal.aborted)
        throw new AdapterError('[autosync] [memory] Push aborted', { kind: 'network', retryable: true })
      if (options.fault) throw faultError(options.fault)
      await options.onPush?.(batch)
      const replay = batches.get(`${batch.userId}\u0000${batch.batchId}`)
      if (replay) return { accepted: replay }
      for (const change of batch.changes) apply(batch.userId, change)
      const accepted = batch.changes.map((change) => change.changeId)
      batches.set(`${batch.userId}\u0000${batch.batchId}`, accepted)
      return { accepted }
    },
    async pull(request) {
      const own = log.filter((entry) => entry.userId === request.userId)
      const start = request.cursor === null ? 0 : Number(request.cursor)
      const changes = own.slice(start, start + request.limit).map((entry) => entry.remote)
      const end = start + changes.length
      return { changes, cursor: String(end), hasMore: end < own.length }
    },
    async backup(snapshot) {
      backups.push(structuredClone(snapshot))
      const records = Object.values(snapshot.tables).reduce((sum, rows) => sum + rows.length, 0)
      return { backupId: snapshot.backupId, location: `memory://${snapshot.userId}/${snapshot.backupId}`, records }
    },
    async restore(request) {
      const own = backups.filter((backup) => backup.userId === request.userId)
      const found = request.backupId ? own.find((backup) => backup.backupId === request.backupId) : own.at(-1)
      return { snapshot: found ? structuredClone(found) : null }
    },
    records: (userId) => tablesOf(userId),
    requests,
    applied,
    outOfOrder,
    backups,
    reset() {
      for (const store of [users, seen, batches, lastSeq]) store.clear()
      for (const list of [log, requests, applied, outOfOrder, backups]) list.length = 0
    },
  }
}
