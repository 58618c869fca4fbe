import { AdapterError } from '../errors'
import { classifyHttpStatus } from '../http/status'
import type {
  BackupSnapshot,
  Change,
  PullRequest,
  PushBatch,
  PushResult,
  RecordKey,
  RemoteChange,
  SyncAdapter,
} from '../types'
import type { AdapterFault } from './faults'

export interface MemoryAdapterOptions {
  /** Default 100. */
  maxBatchSize?: number
  /** Merge `changedFields` of updates instead of replacing the record. Default true. */
  partialUpdates?: boolean
  /**
   * Refuse a change whose `baseRevision` is stale (`rejected: conflict`), as the reference server does. `false`
   * emulates a log backend (S3) that stores every change and settles conflicts on pull. Default true.
   */
  conditionalWrites?: boolean
  /** Pull a merged partial update as only its changed fields, like a backend that keeps deltas. Default false. */
  pullPartial?: boolean
  /** Default `memory`. */
  name?: string
  /** Called for each push before it is applied; throw an AdapterError to simulate a backend failure. */
  onPush?(batch: PushBatch): void | Promise<void>
  /** Called for each pull before it is answered; throw an AdapterError to simulate a failed page. */
  onPull?(request: PullRequest): void | Promise<void>
  /** Answer every push with this failure, classified as an HTTP adapter would (for the conformance suite). */
  fault?: AdapterFault
}

function faultError(fault: AdapterFault): AdapterError {
  if (fault.type === 'timeout')
    return new AdapterError('[autosync] [memory] Timed out', { kind: 'timeout', retryable: true })
  if (fault.type === 'malformed-body') {
    return new AdapterError('[autosync] [memory] Malformed response body', { kind: 'protocol', retryable: true })
  }
  return new AdapterError(`[autosync] [memory] HTTP ${fault.status}`, {
    ...classifyHttpStatus(fault.status),
    status: fault.status,
    ...(fault.retryAfterSeconds === undefined ? {} : { retryAfterMs: fault.retryAfterSeconds * 1_000 }),
  })
}

export interface AppliedChange {
  userId: string | null
  change: Change
}

/** A write made "by another device" straight into the backend (see `writeRemote`). */
export interface RemoteWrite {
  table: string
  key: RecordKey
  op: 'put' | 'delete'
  value?: Record<string, unknown>
  changedFields?: string[]
  /** Default: the record's current revision (a writer that saw the latest version). */
  baseRevision?: string | null
  /** Writer clock; default the number of writes so far. */
  timestamp?: number
  /** Default `other-device`. */
  clientId?: string
}

export interface MemoryAdapter extends SyncAdapter {
  /** Records of a user: `table → key → value` (deleted records are absent). */
  records(userId: string | null): Map<string, Map<RecordKey, Record<string, unknown>>>
  /** The current revision of a record, `undefined` if it was never written. */
  revisionOf(userId: string | null, table: string, key: RecordKey): string | undefined
  /** Writes as another device would, bypassing conditions; returns the new revision and notifies live subscribers. */
  writeRemote(userId: string | null, write: RemoteWrite): string
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
/** Revisions sort as strings in the backend's own order (zero padded), as an app could expect from a server. */
const revisionText = (position: number) => String(position).padStart(12, '0')

interface UserState {
  tables: Map<string, Map<RecordKey, Record<string, unknown>>>
  revisions: Map<string, string>
  log: RemoteChange[]
  hints: Set<() => void>
}

/**
 * An in-memory backend for tests: idempotent by `batchId` and `changeId`, data partitioned per user, partial
 * updates merged, per-user revisions, conditional writes, pull pages, live hints, backup and restore.
 * @example const adapter = createMemoryAdapter({ maxBatchSize: 50 })
 */
export function createMemoryAdapter(options: MemoryAdapterOptions = {}): MemoryAdapter {
  const partialUpdates = options.partialUpdates ?? true
  const conditionalWrites = options.conditionalWrites ?? true
  const users = new Map<string | null, UserState>()
  const seen = new Map<string, string>()
  const batches = new Map<string, PushResult>()
  const lastSeq = new Map<string, number>()
  const requests: PushBatch[] = []
  const applied: AppliedChange[] = []
  const outOfOrder: AppliedChange[] = []
  const backups: { snapshot: BackupSnapshot; cursor: string }[] = []
  let remoteWrites = 0

  const userOf = (userId: string | null): UserState => {
    let user = users.get(userId)
    if (!user) {
      user = { tables: new Map(), revisions: new Map(), log: [], hints: new Set() }
      users.set(userId, user)
    }
    return user
  }

  /** Stores one change and appends it to the user's log; returns the new revision. */
  function store(userId: string | null, change: Omit<Change, 'seq'>): string {
    const user = userOf(userId)
    const table = user.tables.get(change.table) ?? new Map<RecordKey, Record<string, unknown>>()
    user.tables.set(change.table, table)
    const current = table.get(change.key)
    if (change.op === 'delete') table.delete(change.key)
    else {
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
    const revision = revisionText(user.log.length + 1)
    user.revisions.set(recordId(change.table, change.key), revision)
    const stored = table.get(change.key)
    // A merged partial update is pulled with the fields it changed: the whole record, or (`pullPartial`) just those.
    const partial = partialUpdates && change.changedFields && current && stored ? change.changedFields : undefined
    const pulled =
      partial && options.pullPartial
        ? Object.fromEntries(
            partial.filter((field) => Object.hasOwn(stored!, field)).map((field) => [field, stored![field]]),
          )
        : stored
    user.log.push({
      table: change.table,
      key: change.key,
      op: change.op,
      ...(pulled && { value: structuredClone(pulled) }),
      ...(partial && { changedFields: partial }),
      changeId: change.changeId,
      revision,
      timestamp: change.timestamp,
      ...(change.baseRevision !== undefined && { baseRevision: change.baseRevision }),
    })
    return revision
  }

  function isStale(userId: string | null, change: Change): boolean {
    if (!conditionalWrites || change.baseRevision === undefined) return false
    const user = userOf(userId)
    const current = user.revisions.get(recordId(change.table, change.key))
    const exists = user.tables.get(change.table)?.has(change.key) ?? false
    return change.baseRevision === null ? exists : current !== undefined && current !== change.baseRevision
  }

  function apply(userId: string | null, change: Change, result: Required<PushResult>): void {
    const scoped = `${userId}\u0000${change.changeId}`
    const earlier = seen.get(scoped)
    if (earlier !== undefined) {
      result.accepted.push(change.changeId)
      result.revisions[change.changeId] = earlier
      return
    }
    if (isStale(userId, change)) {
      result.rejected.push({ changeId: change.changeId, reason: 'conflict' })
      return
    }
    const id = `${userId}\u0000${recordId(change.table, change.key)}`
    if ((lastSeq.get(id) ?? -1) > change.seq) outOfOrder.push({ userId, change })
    lastSeq.set(id, Math.max(lastSeq.get(id) ?? -1, change.seq))
    const revision = store(userId, change)
    seen.set(scoped, revision)
    applied.push({ userId, change })
    result.accepted.push(change.changeId)
    result.revisions[change.changeId] = revision
  }

  const notify = (userId: string | null) => {
    for (const hint of [...userOf(userId).hints]) hint()
  }

  return {
    name: options.name ?? 'memory',
    specificationVersion: 'v1',
    capabilities: {
      maxBatchSize: options.maxBatchSize ?? 100,
      partialUpdates,
      pull: true,
      backup: true,
      live: true,
      conditionalWrites,
    },
    async push(batch, context) {
      requests.push(batch)
      if (context.signal.aborted)
        throw new AdapterError('[autosync] [memory] Push aborted', { kind: 'network', retryable: true })
      if (options.fault) throw faultError(options.fault)
      await options.onPush?.(batch)
      const batchKey = `${batch.userId}\u0000${batch.batchId}`
      const replay = batches.get(batchKey)
      if (replay) return structuredClone(replay)
      const result: Required<PushResult> = { accepted: [], rejected: [], revisions: {} }
      for (const change of batch.changes) apply(batch.userId, change, result)
      batches.set(batchKey, structuredClone(result))
      if (result.accepted.length > 0) notify(batch.userId)
      return result
    },
    async pull(request) {
      await options.onPull?.(request)
      const log = userOf(request.userId).log
      const start = request.cursor === null ? 0 : Number(request.cursor)
      if (!Number.isInteger(start) || start < 0 || start > log.length) {
        throw new AdapterError(`[autosync] [memory] Unknown cursor ${request.cursor}`, {
          kind: 'protocol',
          retryable: false,
        })
      }
      const changes = log.slice(start, start + Math.max(1, request.limit)).map((change) => structuredClone(change))
      const end = start + changes.length
      return { changes, cursor: String(end), hasMore: end < log.length }
    },
    async backup(snapshot) {
      backups.push({ snapshot: structuredClone(snapshot), cursor: String(userOf(snapshot.userId).log.length) })
      const records = Object.values(snapshot.tables).reduce((sum, rows) => sum + rows.length, 0)
      return { backupId: snapshot.backupId, location: `memory://${snapshot.userId}/${snapshot.backupId}`, records }
    },
    async restore(request) {
      const own = backups.filter((backup) => backup.snapshot.userId === request.userId)
      const found = request.backupId ? own.find((backup) => backup.snapshot.backupId === request.backupId) : own.at(-1)
      return found ? { snapshot: structuredClone(found.snapshot), cursor: found.cursor } : { snapshot: null }
    },
    subscribe(context, onHint) {
      const hints = userOf(context.userId).hints
      const hint = () => onHint()
      hints.add(hint)
      const unsubscribe = () => {
        hints.delete(hint)
      }
      context.signal.addEventListener('abort', unsubscribe, { once: true })
      return unsubscribe
    },
    records: (userId) => userOf(userId).tables,
    revisionOf: (userId, table, key) => userOf(userId).revisions.get(recordId(table, key)),
    writeRemote(userId, write) {
      remoteWrites++
      const clientId = write.clientId ?? 'other-device'
      const revision = store(userId, {
        changeId: `${clientId}:${remoteWrites}`,
        table: write.table,
        key: write.key,
        op: write.op,
        ...(write.value && { value: write.value }),
        ...(write.changedFields && { changedFields: write.changedFields }),
        timestamp: write.timestamp ?? remoteWrites,
        baseRevision:
          write.baseRevision !== undefined
            ? write.baseRevision
            : (userOf(userId).revisions.get(recordId(write.table, write.key)) ?? null),
      })
      notify(userId)
      return revision
    },
    requests,
    applied,
    outOfOrder,
    get backups() {
      return backups.map((backup) => backup.snapshot)
    },
    reset() {
      for (const map of [users, seen, batches, lastSeq]) map.clear()
      for (const list of [requests, applied, outOfOrder, backups]) list.length = 0
      remoteWrites = 0
    },
  }
}
