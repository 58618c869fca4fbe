import type { AdapterContext, Change, PushBatch, PushResult } from '@autosync/core'
import { type DocumentData, type DocumentReference, doc, runTransaction, serverTimestamp } from 'firebase/firestore'
import { documentIdOf, documentIdProblem, documentSizeProblem } from './document-id'
import { toAdapterError, withTimeout } from './errors'
import type { ResolvedOptions } from './options'

/** Firestore commits at most 500 writes at once. */
const chunkSize = 500

/** The bookkeeping fields every document carries; a replay rewrites them to the same values. */
function documentOf(change: Change, clientId: string, seqs: Record<string, number>): DocumentData {
  const meta = {
    _updatedAt: serverTimestamp(),
    // The revision is the writing change's id: unique per write, the same when that write is replayed.
    _rev: change.changeId,
    _changeId: change.changeId,
    _clientId: clientId,
    _key: change.key,
    // Per client, the highest seq written to this record: a replay or an older change of that client is skipped.
    _seqs: { ...seqs, [clientId]: change.seq },
    _writtenAt: change.timestamp,
    _deleted: change.op === 'delete',
  }
  return change.op === 'delete' ? meta : { ...change.value, ...meta }
}

const metaFields = ['_updatedAt', '_rev', '_changeId', '_clientId', '_key', '_seqs', '_writtenAt', '_deleted']

/** A write batch or a transaction: both `set` with the same arguments. */
type Writer = { set(reference: DocumentReference, data: DocumentData, options?: { mergeFields: string[] }): unknown }

function write(
  writer: Writer,
  reference: DocumentReference,
  change: Change,
  clientId: string,
  seqs: Record<string, number>,
) {
  const data = documentOf(change, clientId, seqs)
  // A partial update touches only its fields (and the bookkeeping), as a shallow merge would.
  if (change.op === 'put' && change.changedFields) {
    writer.set(reference, data, { mergeFields: [...change.changedFields, ...metaFields] })
  } else writer.set(reference, data)
}

type Verdict = 'write' | 'skip' | 'conflict'

/**
 * Pushes in transactions of at most 500 writes. Each document is read first: a change at or below the highest seq
 * of its client already written there is a replay or stale (accepted, not written again); a change that carries a
 * `baseRevision` (two-way clients) is checked against `_rev` and answered `conflict` when stale.
 */
export async function push(options: ResolvedOptions, batch: PushBatch, context: AdapterContext): Promise<PushResult> {
  if (context.signal.aborted) throw context.signal.reason ?? new Error('aborted')
  const { firestore, collectionPath, timeoutMs } = options
  const userId = batch.userId ?? 'anonymous'
  const result: Required<PushResult> = { accepted: [], rejected: [], revisions: {} }
  const writable: Change[] = []
  for (const change of batch.changes) {
    const problem = documentIdProblem(change.key) ?? documentSizeProblem(change.value)
    if (problem) result.rejected.push({ changeId: change.changeId, reason: `[autosync] [firestore] ${problem}` })
    else writable.push(change)
  }
  const reference = (change: Change) => doc(firestore, collectionPath(userId, change.table), documentIdOf(change.key))
  for (let start = 0; start < writable.length; start += chunkSize) {
    if (context.signal.aborted) throw context.signal.reason ?? new Error('aborted')
    const chunk = writable.slice(start, start + chunkSize)
    try {
      const verdicts = await withTimeout(
        runTransaction(firestore, async (transaction) => {
          const stored = await Promise.all(chunk.map((change) => transaction.get(reference(change))))
          // Later changes of the chunk to the same record see what earlier ones wrote.
          const seqsOf = new Map<string, Record<string, number>>()
          return chunk.map((change, index): Verdict => {
            const current = stored[index]!
            const path = reference(change).path
            const seqs = seqsOf.get(path) ?? (current.get('_seqs') as Record<string, number> | undefined) ?? {}
            const last = seqs[batch.clientId]
            if (last !== undefined && change.seq <= last) return 'skip'
            const live = current.exists() && current.get('_deleted') !== true
            const partial = change.op === 'put' && change.changedFields !== undefined
            const stale =
              change.baseRevision !== undefined &&
              (change.baseRevision === null ? live : !current.exists() || current.get('_rev') !== change.baseRevision)
            if ((partial && !live) || stale) return 'conflict'
            write(transaction, reference(change), change, batch.clientId, seqs)
            seqsOf.set(path, { ...seqs, [batch.clientId]: change.seq })
            return 'write'
          })
        }),
        timeoutMs,
        'a push',
      )
      chunk.forEach((change, index) => {
        if (verdicts[index] === 'conflict') result.rejected.push({ changeId: change.changeId, reason: 'conflict' })
        else {
          result.accepted.push(change.changeId)
          if (verdicts[index] === 'write') result.revisions[change.changeId] = change.changeId
        }
      })
    } catch (error) {
      const failure = toAdapterError(error, 'a push')
      // One change Firestore refuses fails its whole commit: alone, it is rejected; in a chunk, each is tried alone.
      if (failure.kind !== 'rejected') throw failure
      if (chunk.length === 1) {
        result.rejected.push({ changeId: chunk[0]!.changeId, reason: failure.message })
        continue
      }
      for (const change of chunk) {
        const single = await push(options, { ...batch, changes: [change] }, context)
        result.accepted.push(...single.accepted)
        result.rejected.push(...(single.rejected ?? []))
        Object.assign(result.revisions, single.revisions)
      }
    }
  }
  return result
}
