import type { FoldedChange, OutboxChange } from '../storage/coalesce'
import { changeIdentity } from '../storage/coalesce'
import { metadataStore } from '../storage/constants'
import { acknowledgeIn, foldOutbox } from '../storage/outbox'
import { addToOutbox, outboxChange } from '../storage/outbox-entry'
import { ownerOf } from '../storage/prepare'
import { result } from '../storage/request'
import type { ConflictChoice, RecordKey, StorageAccess, StorageEvent } from '../types'
import { jsonEqual } from './equal'
import type { AcceptedRemote } from './remote-input'
import type { ConflictResolver } from './resolvers'
import { revisionKey } from './revisions'
import { writeAll } from './write-all'

export interface PageSetup {
  access: StorageAccess
  clientId: string
  userId: string | null
  resolve: ConflictResolver
  /** Metadata key of the persisted cursor, written in the same transaction as the page. */
  cursorKey: string
  logger: { warn(...parts: unknown[]): void }
}

export interface ResolvedConflict {
  table: string
  key: RecordKey
  choice: ConflictChoice
  local: Record<string, unknown> | null
  remote: Record<string, unknown> | null
  reason?: string
}

export interface PageOutcome {
  applied: number
  conflicts: ResolvedConflict[]
  events: StorageEvent[]
  /** The highest outbox version a resolution queued, when one did. */
  queuedSeq?: number
  /** Pending changes acknowledged by their own echo (their push's answer was lost). */
  echoed: number
}

type Value = Record<string, unknown>

const writerOf = (changeId: string | undefined) => changeId?.slice(0, changeId.lastIndexOf(':')) ?? ''

/** Whether the remote value holds only its changed fields (a backend may also send the whole record with them). */
const isPartial = ({ value, changedFields, table }: AcceptedRemote) =>
  changedFields !== undefined &&
  value !== undefined &&
  Object.keys(value).every((field) => field === table.keyPath || changedFields.includes(field))

/** A partial remote update merges into the stored record; fields listed but absent from the value are removed. */
function incomingValue(change: AcceptedRemote, current: Value | undefined): Value | null {
  if (change.op === 'delete') return null
  const value = change.value!
  if (!isPartial(change)) return value
  const merged: Value = { ...current, [change.table.keyPath]: change.key }
  for (const field of change.changedFields!) {
    if (Object.hasOwn(value, field)) merged[field] = value[field]
    else delete merged[field]
  }
  return merged
}

/**
 * Applies one pulled page in ONE readwrite transaction: the records, the conflicts settled against the outbox,
 * the revisions and the cursor. A crash or abort leaves the whole page and the new cursor, or neither.
 */
export async function applyPage(
  setup: PageSetup,
  changes: readonly AcceptedRemote[],
  cursor: string | null,
): Promise<PageOutcome> {
  const { access, userId, clientId } = setup
  const { context } = access
  const tableNames = [...new Set(changes.map((change) => change.table.name))]
  const outcome: PageOutcome = { applied: 0, conflicts: [], events: [], echoed: 0 }
  return writeAll(access, 'pull', tableNames, async (transaction) => {
    const metadata = transaction.objectStore(metadataStore)
    // Every read is issued at once; nothing but IndexedDB is awaited inside the transaction.
    const pendingRead = foldOutbox(transaction, { userId })
    const currentReads = changes.map((change) => result(transaction.objectStore(change.table.name).get(change.key)))
    const pending = new Map<string, FoldedChange>()
    for (const folded of await pendingRead) {
      if (folded.op !== 'none') pending.set(changeIdentity(null, folded.table, folded.key), folded)
    }
    // Only a record with a pending change needs the revision it was based on (the conflict check).
    const revisions = await Promise.all(
      changes.map(
        (change) =>
          pending.has(changeIdentity(null, change.table.name, change.key)) &&
          result(metadata.get(revisionKey(change.table.name, change.key))),
      ),
    )
    const currents = await Promise.all(currentReads)
    // Later changes of a page see what earlier ones of the same record did.
    const seen = new Map<string, { value: Value | undefined; revision: string | undefined }>()
    const queued = new Map<string, { timestamp: number; changes: OutboxChange[] }>()
    const acknowledged: FoldedChange[] = []
    const now = context.clock.now()

    for (const [index, change] of changes.entries()) {
      const identity = changeIdentity(null, change.table.name, change.key)
      const known = seen.get(identity) ?? {
        value: currents[index] as Value | undefined,
        revision: revisions[index] as string | undefined,
      }
      seen.set(identity, known)
      const store = transaction.objectStore(change.table.name)
      const current = known.value
      if (current && ownerOf(context, current) !== userId) {
        setup.logger.warn('[autosync] [pull] skipped a record of another user', change.key)
        continue
      }
      const echo = change.changeId !== undefined && writerOf(change.changeId) === clientId
      const local = pending.get(identity)
      const remote = incomingValue(change, current)
      const write = (next: Value | null, changedFields?: string[]) => {
        if (next) store.put(next)
        else store.delete(change.key)
        if (next || current) {
          outcome.events.push({
            type: next ? (current ? 'update' : 'create') : 'delete',
            table: change.table.name,
            key: change.key,
            value: next ?? undefined,
            previous: current,
            changedFields,
            userId: ownerOf(context, next ?? current),
            timestamp: now,
            origin: 'remote',
          })
        }
        known.value = next ?? undefined
      }
      const advance = () => {
        known.revision = change.revision
        metadata.put(change.revision, revisionKey(change.table.name, change.key))
      }
      if (local) {
        // The echo of exactly the pending change: the backend holds it, so its acknowledgement was lost (a reload,
        // a dropped answer). Acknowledged here, it is never pushed again under another base.
        if (echo && change.changeId === `${clientId}:${local.seq}`) {
          acknowledged.push(local)
          pending.delete(identity)
          outcome.echoed++
          advance()
          continue
        }
        // The backend holds an earlier write of this device: it becomes the base of the newer pending edit.
        if (echo || known.revision === change.revision) {
          advance()
          continue
        }
        const conflict = {
          table: change.table.name,
          key: change.key,
          local: local.op === 'delete' ? null : (current ?? null),
          remote,
          localChangedFields: local.changedFields,
          remoteChangedFields: change.changedFields,
          localTimestamp: local.timestamp,
          remoteTimestamp: change.timestamp,
          localClientId: clientId,
          remoteClientId: writerOf(change.changeId),
        }
        let chosen = setup.resolve(conflict)
        if (chosen !== null && (typeof chosen !== 'object' || Array.isArray(chosen))) chosen = remote
        if (chosen) chosen = { ...chosen, [change.table.keyPath]: change.key }
        const choice: ConflictChoice = jsonEqual(chosen, remote)
          ? 'remote'
          : chosen === null
            ? 'deleted'
            : jsonEqual(chosen, conflict.local)
              ? 'local'
              : 'merged'
        outcome.conflicts.push({
          table: change.table.name,
          key: change.key,
          choice,
          local: conflict.local,
          remote,
          ...(setup.resolve.explain ? { reason: setup.resolve.explain(conflict) } : {}),
        })
        acknowledged.push(local)
        pending.delete(identity)
        // A later change to this record in the same page replaces an earlier resolution of it.
        queued.delete(identity)
        // It keeps the writer clock of what won, so last-write-wins elsewhere still compares real writes.
        const timestamp = choice === 'local' ? local.timestamp : Math.max(local.timestamp, change.timestamp)
        // A partial remote value was completed from the local record: only a whole one can prove the result equal.
        if (choice !== 'remote' || isPartial(change)) {
          // Still pending: a later change to this record in the same page meets the resolution.
          pending.set(identity, { ...local, op: chosen ? 'put' : 'delete', changedFields: undefined, timestamp })
          // The resolution stays queued, based on the remote revision, so the backend accepts it.
          const outgoing = outboxChange({
            table: change.table.name,
            key: change.key,
            userId,
            op: chosen ? 'put' : 'delete',
            json: chosen ? JSON.stringify(chosen) : undefined,
          })
          queued.set(identity, { timestamp, changes: [outgoing] })
        }
        if (!jsonEqual(chosen, current ?? null)) write(chosen)
        outcome.applied++
        advance()
        continue
      }
      // An echo of what the record already holds changes nothing visible.
      if (!(echo && jsonEqual(remote, current ?? null))) {
        write(remote, change.changedFields)
        outcome.applied++
      }
      advance()
    }
    metadata.put(cursor, setup.cursorKey)
    if (acknowledged.length > 0) await acknowledgeIn(transaction, acknowledged)
    // One outbox entry per resolution: an entry's timestamp is its changes' writer clock.
    for (const entry of queued.values()) {
      const [seq] = await addToOutbox(transaction, entry.timestamp, entry.changes)
      outcome.queuedSeq = seq
    }
    return outcome
  })
}
