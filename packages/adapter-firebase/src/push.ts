import type { AdapterContext, AdapterError, Change, PushBatch, PushResult } from '@autosync/core'
import { documentIdOf, documentIdProblem, documentSizeProblem } from './document-id'
import { settle } from './errors'
import type { ResolvedOptions } from './options'
import { type DocumentReference, doc, runTransaction, serverTimestamp, type Transaction } from './sdk'

/** Firestore commits at most 500 writes at once. */
const chunkSize = 500

type Verdict = 'write' | 'skip' | 'conflict'

/** Writes the change with the bookkeeping fields every document carries; a replay rewrites them to the same values. */
function write(
  transaction: Transaction,
  reference: DocumentReference,
  change: Change,
  clientId: string,
  seqs: Record<string, number>,
): void {
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
  if (change.op === 'delete') transaction.set(reference, meta)
  // A partial update touches only its fields (and the bookkeeping), as a shallow merge would.
  else if (change.changedFields)
    transaction.set(
      reference,
      { ...change.value, ...meta },
      { mergeFields: [...change.changedFields, ...Object.keys(meta)] },
    )
  else transaction.set(reference, { ...change.value, ...meta })
}

/**
 * Pushes in transactions of at most 500 writes. Each document is read first: a change at or below the highest seq
 * of its client already written there is a replay or stale (accepted, not written again); a change that carries a
 * `baseRevision` (two-way clients) is checked against `_rev` and answered `conflict` when stale.
 */
export async function push(options: ResolvedOptions, batch: PushBatch, context: AdapterContext): Promise<PushResult> {
  context.signal.throwIfAborted()
  const { firestore, collectionPath } = options
  const { clientId } = batch
  const result: Required<PushResult> = { accepted: [], rejected: [], revisions: {} }
  const reject = (changeId: string, reason: string) => result.rejected.push({ changeId, reason })
  const writable = batch.changes.filter((change) => {
    const problem = documentIdProblem(change.key) ?? documentSizeProblem(change.value)
    if (problem) reject(change.changeId, `[autosync] [firestore] ${problem}`)
    return !problem
  })
  const reference = (change: Change) =>
    doc(firestore, collectionPath(batch.userId ?? 'anonymous', change.table), documentIdOf(change.key))
  const decide = (chunk: Change[]) =>
    runTransaction(firestore, async (transaction) => {
      const stored = await Promise.all(chunk.map((change) => transaction.get(reference(change))))
      // Later changes of the chunk to the same record see what earlier ones wrote.
      const seqsOf = new Map<string, Record<string, number>>()
      return chunk.map((change, index): Verdict => {
        const current = stored[index]!
        const path = reference(change).path
        const seqs = seqsOf.get(path) ?? (current.get('_seqs') as Record<string, number> | undefined) ?? {}
        if (change.seq <= (seqs[clientId] ?? -1)) return 'skip'
        const live = current.exists() && current.get('_deleted') !== true
        const stale =
          change.baseRevision !== undefined &&
          (change.baseRevision === null ? live : current.get('_rev') !== change.baseRevision)
        // A partial update needs a record to merge into.
        if ((change.op === 'put' && change.changedFields && !live) || stale) return 'conflict'
        write(transaction, reference(change), change, clientId, seqs)
        seqsOf.set(path, { ...seqs, [clientId]: change.seq })
        return 'write'
      })
    })
  for (let start = 0; start < writable.length; start += chunkSize) {
    context.signal.throwIfAborted()
    const chunk = writable.slice(start, start + chunkSize)
    try {
      const verdicts = await settle(decide(chunk), options.timeoutMs, 'a push')
      chunk.forEach(({ changeId }, index) => {
        if (verdicts[index] === 'conflict') reject(changeId, 'conflict')
        else result.accepted.push(changeId)
        if (verdicts[index] === 'write') result.revisions[changeId] = changeId
      })
    } catch (error) {
      // One change Firestore refuses fails its whole commit: alone, it is rejected; in a chunk, each is tried alone.
      if ((error as AdapterError).kind !== 'rejected') throw error
      if (chunk.length === 1) reject(chunk[0]!.changeId, (error as Error).message)
      else
        for (const change of chunk) {
          const single = (await push(options, { ...batch, changes: [change] }, context)) as Required<PushResult>
          result.accepted.push(...single.accepted)
          result.rejected.push(...single.rejected)
          Object.assign(result.revisions, single.revisions)
        }
    }
  }
  return result
}
