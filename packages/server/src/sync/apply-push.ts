import { stringifyJson } from '../http/deep-json'
import type { SyncServerLimits } from '../limits'
import type { RecordWrite, StoredRecord, SyncStore } from '../store/sync-store'
import { recordAddress } from '../store/sync-store'
import type { IncomingBatch } from '../validation/push-body'
import {
  checkRecordText,
  isRejected,
  mergeChangedFields,
  type PreparedChange,
  prepareChange,
  type RejectedChange,
} from './prepare-change'

export interface PushAnswer {
  accepted: string[]
  rejected: RejectedChange[]
  /** Two-way clients (changes that carry `baseRevision`): changeId → the revision its write was given. */
  revisions?: Record<string, string>
}

export type PushOutcome = { kind: 'answered'; responseText: string } | { kind: 'idempotency-key-reused' }

/**
 * Applies one batch in one transaction under the user's lock: a replayed batch is answered from its stored first
 * answer (kept for the retention); a change whose seq is at or below the highest seq the record has applied from
 * the same client (a replay, or a stale change) is accepted without applying; a change rejected for good before is
 * rejected again. Idempotency costs no row per change: the records carry it.
 */
export async function applyPush(
  store: SyncStore,
  userId: string,
  batch: IncomingBatch,
  requestHash: string,
  limits: SyncServerLimits,
  now = Date.now(),
): Promise<PushOutcome> {
  const prepared = batch.changes.map((change) => prepareChange(change, limits))
  const valid = prepared.filter((change): change is PreparedChange => !isRejected(change))
  return store.runPushTransaction(userId, async (transaction) => {
    // Both reads at once, so a pipelining store answers them in one round trip; a replay ignores the state.
    // Every change id is looked up, refused ones too: one rejected for good before stays rejected.
    const [previous, { applied, rejected: settledRejections, records }] = await Promise.all([
      transaction.findBatch(batch.batchId),
      transaction.readState([...new Set(prepared.map((change) => change.changeId))], uniqueAddresses(valid)),
    ])
    if (previous) {
      return previous.requestHash === requestHash
        ? { kind: 'answered', responseText: previous.response }
        : { kind: 'idempotency-key-reused' }
    }
    const answer: PushAnswer = { accepted: [], rejected: [] }
    // Rejections that do not depend on a later state are settled: a replay, whatever the retention of batch answers,
    // is rejected again and never applied (a conflict is not settled: the client retries it on a newer base).
    const newlyRejected: { changeId: string; code: string }[] = []
    const reject = (rejection: RejectedChange) => {
      answer.rejected.push(rejection)
      if (rejection.code !== 'conflict' && !applied.has(rejection.changeId)) {
        applied.add(rejection.changeId)
        newlyRejected.push({ changeId: rejection.changeId, code: rejection.code })
      }
    }
    // Address → the record's next state and the position of its last write, which orders the revisions.
    const writes = new Map<string, { record: RecordWrite; writeIndex: number }>()
    let writeCount = 0
    const writtenBy = new Map<string, string>()
    for (const change of prepared) {
      const settled = settledRejections.get(change.changeId)
      if (settled !== undefined) {
        answer.rejected.push({
          changeId: change.changeId,
          code: settled as RejectedChange['code'],
          reason: `rejected when first received (${settled})`,
        })
        continue
      }
      if (isRejected(change)) {
        reject(change)
        continue
      }
      const address = recordAddress(change.table, change.key)
      const current = records.get(address)
      // The record remembers the highest seq applied from each client: a change at or below it was applied before
      // (a replay: same batch, a new batch, a lost answer, another instance) or is stale. Accepted, never applied
      // again, whatever the retention of batch answers; no row per change is kept for it.
      const lastSeq =
        current && Object.hasOwn(current.clientSeqs, batch.clientId) ? current.clientSeqs[batch.clientId] : undefined
      if (lastSeq !== undefined && change.seq <= lastSeq) {
        answer.accepted.push(change.changeId)
        continue
      }
      const conflict = conflictOf(change, current)
      if (conflict) {
        answer.rejected.push(conflict)
        continue
      }
      const next = nextState(change, current, limits)
      if ('code' in next) {
        reject(next)
        continue
      }
      const record: RecordWrite = {
        table: change.table,
        key: change.key,
        value: next.value,
        valueText: next.valueText,
        changeId: change.changeId,
        timestamp: change.timestamp,
        clientSeqs: { ...current?.clientSeqs, [batch.clientId]: change.seq },
      }
      records.set(address, { ...record, revision: '' })
      writes.set(address, { record, writeIndex: writeCount++ })
      writtenBy.set(change.changeId, address)
      answer.accepted.push(change.changeId)
    }
    const ordered = [...writes.entries()].sort(([, a], [, b]) => a.writeIndex - b.writeIndex)
    const written = ordered.map(([, { record }]) => record)
    // Two-way clients keep each write's revision as their next base: their answer waits for the records.
    const twoWay = valid.some((change) => change.baseRevision !== undefined)
    if (twoWay) {
      const given = written.length > 0 ? await transaction.writeRecords(written) : []
      const position = new Map(ordered.map(([address], index) => [address, index]))
      answer.revisions = {}
      for (const [changeId, address] of writtenBy) answer.revisions[changeId] = given[position.get(address)!]!
    }
    const responseText = JSON.stringify(answer)
    // Otherwise both writes go at once, records first: nothing in the answer depends on how the records were written.
    await Promise.all([
      !twoWay && written.length > 0 ? transaction.writeRecords(written) : undefined,
      transaction.finishBatch(
        [],
        { batchId: batch.batchId, requestHash, response: responseText, createdAt: now, clientId: batch.clientId },
        newlyRejected,
      ),
    ])
    return { kind: 'answered', responseText }
  })
}

function nextState(
  change: PreparedChange,
  current: StoredRecord | undefined,
  limits: SyncServerLimits,
): { value: Record<string, unknown> | null; valueText: string | null } | RejectedChange {
  if (change.op === 'delete' || change.value === null) return { value: null, valueText: null }
  if (change.changedFields === undefined) return { value: change.value, valueText: change.valueText }
  const value = mergeChangedFields(current?.value ?? null, change.value, change.changedFields)
  // A record an older server stored may nest deeper than JSON.stringify can go.
  const valueText = stringifyJson(value)
  return checkRecordText(change.changeId, valueText, limits) ?? { value, valueText }
}

function uniqueAddresses(changes: readonly PreparedChange[]): { table: string; key: string }[] {
  const seen = new Map<string, { table: string; key: string }>()
  for (const change of changes) {
    seen.set(recordAddress(change.table, change.key), { table: change.table, key: change.key })
  }
  return [...seen.values()]
}

/**
 * A partial update of a missing or deleted record is a conflict for every client, as nothing is there to merge
 * into. A conditional write (two-way clients): a change based on another revision than the stored one (or on none,
 * `null`, while a live record exists) is refused as a conflict too.
 */
function conflictOf(change: PreparedChange, current: StoredRecord | undefined): RejectedChange | null {
  const live = current !== undefined && current.value !== null
  const { changeId, baseRevision } = change
  // Merging into nothing would resurrect a deleted record as a partial one, whatever the client.
  if (change.changedFields !== undefined && change.op === 'put' && !live) {
    // A push-only client has no pull to settle a conflict: its reason text makes core dead-letter the change.
    const reason =
      baseRevision === undefined ? 'a partial update needs a live record (deleted or never written)' : 'conflict'
    return { changeId, reason, code: 'conflict' }
  }
  if (baseRevision === undefined) return null
  const stale = baseRevision === null ? live : current !== undefined && current.revision !== baseRevision
  return stale ? { changeId, reason: 'conflict', code: 'conflict' } : null
}
