import { AdapterError } from '../errors'
import type { AdapterContext, Change, PendingChange, SyncProgress } from '../types'
import { batchIdOf } from './batch-id'
import { eventOf } from './change-event'
import type { Engine } from './engine'
import { transformOutgoing } from './plugin-policy'

export interface PushCycle {
  engine: Engine
  context: AdapterContext
  batchSize: number
  /** Changes first captured after this version started after the sync did: the next burst pushes them. */
  untilSeq: number
  total: number
  onProgress(progress: SyncProgress): void
  /** A whole batch was refused for good (its changes are dead-lettered, the sync goes on). */
  onRefused(error: AdapterError): void
}

/** Settles with the push, or rejects as soon as the signal aborts: an adapter ignoring it cannot hold up a stop or user switch. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** Streams the user's backlog to the adapter batch by batch; resolves with how many changes were handled. */
export async function pushBacklog(cycle: PushCycle): Promise<number> {
  const { context, engine } = cycle
  const { storage, plugins, adapter, extensions } = engine
  const limit = Math.max(1, Math.min(cycle.batchSize, adapter.capabilities.maxBatchSize))
  const pluginContext = { userId: context.userId, clientId: context.clientId }
  // A transform may give another output on the next try: the batch id then covers the whole body.
  const transforms = plugins.some((plugin) => plugin.transform)
  let afterSeq = 0
  let done = 0
  let batches = 0
  for (;;) {
    const read = await storage.outbox.read({ userId: context.userId, afterSeq, limit })
    const pending = read.filter((change) => change.firstSeq <= cycle.untilSeq)
    if (pending.length === 0 || context.signal.aborted) break
    for (const change of pending) afterSeq = Math.max(afterSeq, change.firstSeq)
    const local: PendingChange[] = []
    const byId = new Map<string, PendingChange>()
    const changes: Change[] = []
    for (const change of pending) {
      const skipped = engine.skip(eventOf(change))
      const { value, changedFields } = change
      const outgoing = transformOutgoing(
        plugins,
        {
          changeId: `${context.clientId}:${change.seq}`,
          table: change.table,
          key: change.key,
          op: change.op,
          ...(value !== undefined && { value }),
          ...(adapter.capabilities.partialUpdates && changedFields && { changedFields }),
          seq: change.seq,
          timestamp: change.timestamp,
        },
        pluginContext,
      )
      if (skipped || !outgoing) local.push(change)
      else {
        changes.push(outgoing)
        byId.set(outgoing.changeId, change)
      }
    }
    if (local.length > 0) await storage.outbox.acknowledge(local)
    if (changes.length > 0) {
      if (context.signal.aborted) break
      // A create the backend may now hold must not vanish if the record is deleted before the ack.
      const creates = [...byId.values()].filter((change) => change.created)
      if (creates.length > 0) await storage.outbox.markSent?.(creates)
      try {
        // The id names the body as sent, base revisions included: a replay with another body gets another id.
        await extensions.beforePush(changes)
        const batchId = batchIdOf(changes, transforms)
        const batch = { batchId, clientId: context.clientId, userId: context.userId, changes }
        const result = await untilAborted(adapter.push(batch, context), context.signal)
        await extensions.afterPush(result, changes)
        const accepted = (result?.accepted ?? []).flatMap((id) => byId.get(id) ?? [])
        if (accepted.length > 0) await storage.outbox.acknowledge(accepted)
        const rejected = (result?.rejected ?? []).flatMap(({ changeId, reason }) => {
          const change = byId.get(changeId)
          // A conflict (only two-way changes carry a base to conflict with) stays pending: the pull that follows resolves it.
          return change && reason !== 'conflict' ? [{ change, reason, kind: 'rejected' }] : []
        })
        await deadLetter(cycle, rejected)
      } catch (error) {
        if (context.signal.aborted || !AdapterError.isInstance(error) || error.retryable || error.kind === 'auth') {
          throw error
        }
        cycle.onRefused(error)
        const refused = [...byId.values()].map((change) => ({ change, reason: error.message, kind: error.kind }))
        await deadLetter(cycle, refused, error.status)
      }
    }
    done += pending.length
    batches++
    cycle.onProgress({ total: Math.max(cycle.total, done), done, batches })
    if (read.length < limit || pending.length < read.length) break
  }
  return done
}

async function deadLetter(
  cycle: PushCycle,
  entries: { change: PendingChange; reason: string; kind: string }[],
  status?: number,
): Promise<void> {
  if (entries.length === 0) return
  const { storage, clock, emit } = cycle.engine
  const failedAt = clock.now()
  const stored = await storage.deadLetters.add(
    entries.map((entry) => ({ ...entry, failedAt, userId: cycle.context.userId, ...(status ? { status } : {}) })),
  )
  for (const deadLetter of stored) emit({ type: 'change-dead-lettered', deadLetter, at: failedAt })
}
