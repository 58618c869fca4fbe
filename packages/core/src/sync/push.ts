import { AdapterError } from '../errors'
import type {
  AdapterContext,
  Change,
  PendingChange,
  PluginContext,
  StorageEvent,
  SyncAdapter,
  SyncPlugin,
} from '../types'
import type { Engine } from './engine'

export interface PushRun {
  engine: Engine
  adapter: SyncAdapter
  context: AdapterContext
  batchSize: number
  /** Changes first captured after this version started after the sync did: the next burst pushes them. */
  untilSeq: number
  total: number
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

/** A deterministic id from the change ids: exactly the same batch retried gets the same id. */
export function batchIdOf(changes: readonly Change[]): string {
  let first = 0x811c9dc5
  let second = 0x9e3779b9
  for (const change of changes) {
    const id = change.changeId
    for (let index = 0; index < id.length; index++) {
      const code = id.charCodeAt(index)
      first = Math.imul(first ^ code, 16777619)
      second = Math.imul(second ^ code, 2246822507)
    }
    first = Math.imul(first ^ 10, 16777619)
  }
  return `b-${changes.length}-${(first >>> 0).toString(36)}${(second >>> 0).toString(36)}`
}

export const eventOf = (change: PendingChange): StorageEvent => ({
  type: change.op === 'delete' ? 'delete' : change.created ? 'create' : 'update',
  table: change.table,
  key: change.key,
  value: change.value,
  changedFields: change.changedFields,
  userId: change.userId,
  timestamp: change.timestamp,
  origin: 'local',
  seq: change.seq,
})

/** The first plugin that skips this event, as `[plugin name, reason]`. */
export function skipReason(plugins: readonly SyncPlugin[], event: StorageEvent, context: PluginContext) {
  for (const plugin of plugins) {
    const verdict = plugin.skip?.(event, context)
    if (verdict) return [plugin.name, verdict === true ? plugin.name : verdict] as const
  }
  return undefined
}

/** Streams the user's backlog to the adapter batch by batch; resolves with how many changes were handled. */
export async function pushBacklog(run: PushRun): Promise<number> {
  const { adapter, context } = run
  const { storage, plugins } = run.engine
  const limit = Math.max(1, Math.min(run.batchSize, adapter.capabilities.maxBatchSize))
  const pluginContext = { userId: context.userId, clientId: context.clientId }
  let afterSeq = 0
  let done = 0
  let batches = 0
  for (;;) {
    const read = await storage.outbox.read({ userId: context.userId, afterSeq, limit })
    const pending = read.filter((change) => change.firstSeq <= run.untilSeq)
    if (pending.length === 0 || context.signal.aborted) break
    for (const change of pending) afterSeq = Math.max(afterSeq, change.firstSeq)
    const local: PendingChange[] = []
    const byId = new Map<string, PendingChange>()
    const changes: Change[] = []
    for (const change of pending) {
      const skipped = run.engine.skip(eventOf(change))
      const { value, changedFields } = change
      let outgoing: Change | null = {
        changeId: `${context.clientId}:${change.seq}`,
        table: change.table,
        key: change.key,
        op: change.op,
        ...(value !== undefined && { value }),
        ...(adapter.capabilities.partialUpdates && changedFields && { changedFields }),
        seq: change.seq,
        timestamp: change.timestamp,
      }
      for (const plugin of plugins)
        if (outgoing && plugin.transform) outgoing = plugin.transform(outgoing, pluginContext)
      if (skipped || !outgoing) local.push(change)
      else {
        changes.push(outgoing)
        byId.set(outgoing.changeId, change)
      }
    }
    if (local.length > 0) await storage.outbox.acknowledge(local)
    if (changes.length > 0) {
      if (context.signal.aborted) break
      const batch = { batchId: batchIdOf(changes), clientId: context.clientId, userId: context.userId, changes }
      // A create the backend may now hold must not vanish if the record is deleted before the ack.
      const creates = [...byId.values()].filter((change) => change.created)
      if (creates.length > 0) await storage.outbox.markSent?.(creates)
      try {
        await run.engine.beforePush?.(changes)
        const result = await untilAborted(adapter.push(batch, context), context.signal)
        await run.engine.afterPush?.(result)
        const accepted = (result?.accepted ?? []).flatMap((id) => byId.get(id) ?? [])
        if (accepted.length > 0) await storage.outbox.acknowledge(accepted)
        const rejected = (result?.rejected ?? []).flatMap(({ changeId, reason }) => {
          const change = byId.get(changeId)
          // A conflict (only two-way changes carry a base to conflict with) stays pending: the pull that follows resolves it.
          return change && reason !== 'conflict' ? [{ change, reason, kind: 'rejected' }] : []
        })
        await deadLetter(run, rejected)
      } catch (error) {
        if (context.signal.aborted || !AdapterError.isInstance(error) || error.retryable || error.kind === 'auth') {
          throw error
        }
        run.onRefused(error)
        const refused = [...byId.values()].map((change) => ({ change, reason: error.message, kind: error.kind }))
        await deadLetter(run, refused, error.status)
      }
    }
    done += pending.length
    batches++
    run.engine.status.set({ progress: { total: Math.max(run.total, done), done, batches } })
    if (read.length < limit || pending.length < read.length) break
  }
  return done
}

async function deadLetter(
  run: PushRun,
  entries: { change: PendingChange; reason: string; kind: string }[],
  status?: number,
): Promise<void> {
  if (entries.length === 0) return
  const { storage, clock, emit } = run.engine
  const failedAt = clock.now()
  const stored = await storage.deadLetters.add(
    entries.map((entry) => ({ ...entry, failedAt, userId: run.context.userId, ...(status ? { status } : {}) })),
  )
  for (const deadLetter of stored) emit({ type: 'change-dead-lettered', deadLetter, at: failedAt })
}
