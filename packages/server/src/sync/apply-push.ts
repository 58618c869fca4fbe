import type { SyncServerLimits } from '../limits'
import type { StoredRecord, SyncStore } from '../store/sync-store'
import { recordAddress } from '../store/sync-store'
import type { IncomingBatch } from '../validation/push-body'
import {
  isRejected,
  mergeChangedFields,
  type PreparedChange,
  prepareChange,
  type RejectedChange,
  recordBytes,
} from './prepare-change'

export interface PushAnswer {
  accepted: string[]
  rejected: RejectedChange[]
}

export type PushOutcome = { kind: 'answered'; responseText: string } | { kind: 'idempotency-key-reused' }

/**
 * Applies one batch in one transaction under the user's lock: replays answer from the stored first answer,
 * applied change ids are accepted without re-applying, stale changes (lower seq than the last applied one
 * from the same client on that record) are accepted without applying.
 */
export async function applyPush(
  store: SyncStore,
  userId: string,
  batch: IncomingBatch,
  requestHash: string,
  limits: SyncServerLimits,
): Promise<PushOutcome> {
  const prepared = batch.changes.map((change) => prepareChange(change, limits))
  const valid = prepared.filter((change): change is PreparedChange => !isRejected(change))
  return store.runPushTransaction(userId, async (transaction) => {
    const previous = await transaction.findBatch(batch.batchId)
    if (previous) {
      return previous.requestHash === requestHash
        ? { kind: 'answered', responseText: previous.response }
        : { kind: 'idempotency-key-reused' }
    }
    const applied = await transaction.findAppliedChangeIds([...new Set(valid.map((change) => change.changeId))])
    const records = await transaction.readRecords(uniqueAddresses(valid))
    const answer: PushAnswer = { accepted: [], rejected: [] }
    const newlyApplied: string[] = []
    // Address → index into the revisions allocated below of the last write to that record.
    const lastWrite = new Map<string, number>()
    let writes = 0
    for (const change of prepared) {
      if (isRejected(change)) {
        answer.rejected.push(change)
        continue
      }
      if (applied.has(change.changeId)) {
        answer.accepted.push(change.changeId)
        continue
      }
      const address = recordAddress(change.table, change.key)
      const current = records.get(address)
      const lastSeq =
        current && Object.hasOwn(current.clientSeqs, batch.clientId) ? current.clientSeqs[batch.clientId] : undefined
      const stale = lastSeq !== undefined && change.seq < lastSeq
      if (!stale) {
        const value = nextValue(change, current)
        if (value !== null && change.changedFields !== undefined && recordBytes(value) > limits.maxRecordBytes) {
          answer.rejected.push({
            changeId: change.changeId,
            code: 'record-too-large',
            reason: `record exceeds ${limits.maxRecordBytes} bytes`,
          })
          continue
        }
        records.set(address, {
          table: change.table,
          key: change.key,
          value,
          revision: '',
          changeId: change.changeId,
          clientSeqs: { ...current?.clientSeqs, [batch.clientId]: change.seq },
        })
        lastWrite.set(address, writes++)
      }
      applied.add(change.changeId)
      newlyApplied.push(change.changeId)
      answer.accepted.push(change.changeId)
    }
    const revisions = writes > 0 ? await transaction.allocateRevisions(writes) : []
    const written: StoredRecord[] = []
    for (const [address, index] of lastWrite) {
      const record = records.get(address)!
      record.revision = revisions[index]!
      written.push(record)
    }
    if (written.length > 0) await transaction.writeRecords(written)
    if (newlyApplied.length > 0) await transaction.markChangesApplied(newlyApplied)
    const responseText = JSON.stringify(answer)
    await transaction.saveBatch({ batchId: batch.batchId, requestHash, response: responseText })
    return { kind: 'answered', responseText }
  })
}

function nextValue(change: PreparedChange, current: StoredRecord | undefined): Record<string, unknown> | null {
  if (change.op === 'delete' || change.value === null) return null
  if (change.changedFields === undefined) return change.value
  return mergeChangedFields(current?.value ?? null, change.value, change.changedFields)
}

function uniqueAddresses(changes: readonly PreparedChange[]): { table: string; key: string }[] {
  const seen = new Map<string, { table: string; key: string }>()
  for (const change of changes)
    seen.set(recordAddress(change.table, change.key), { table: change.table, key: change.key })
  return [...seen.values()]
}
