import { AdapterError } from '../errors'
import type { Engine } from '../sync/engine'
import type { AdapterContext, PendingChange, PullResponse, SyncAdapter } from '../types'
import { isPlainObject } from '../validation'
import { applyPage } from './apply-page'
import type { StorageInternals } from './internals'
import { type AcceptedRemote, checkRemote } from './remote-input'
import type { ConflictResolver } from './resolvers'
import { cursorKey } from './revisions'

export interface PullSetup {
  engine: Engine
  internals: StorageInternals
  adapter: SyncAdapter
  resolve: ConflictResolver
  pageSize: number
}

export interface PullTotals {
  applied: number
  conflicts: number
  /** A resolution was queued: the attempt pushes it. */
  queued: boolean
}

const protocolError = (message: string) =>
  new AdapterError(`[autosync] [pull] ${message}`, { kind: 'protocol', retryable: true })

/** A page the engine can trust the shape of; anything else applies nothing. */
function checkPage(response: unknown, requested: string | null): PullResponse {
  const page = response as PullResponse
  if (!isPlainObject(response) || !Array.isArray(page.changes)) throw protocolError('no changes array')
  if (typeof page.hasMore !== 'boolean') throw protocolError('no hasMore')
  if (page.cursor !== null && typeof page.cursor !== 'string') throw protocolError('bad cursor')
  // Opaque cursors only compare when both are numbers (NaN compares false); none after one always goes back.
  const backwards = (requested !== null && page.cursor === null) || Number(page.cursor) < Number(requested)
  if (backwards) throw protocolError(`cursor went back to ${page.cursor}`)
  if (page.hasMore && page.cursor === requested) throw protocolError('hasMore, same cursor')
  return page
}

/** Pulls every page after the persisted cursor, each applied with its cursor in one transaction. */
export async function pullAll(setup: PullSetup, context: AdapterContext): Promise<PullTotals> {
  const { engine, internals, adapter } = setup
  const { storage, status, clock, logger } = engine
  const userId = context.userId
  const key = cursorKey(adapter.name, userId)
  let cursor = (await storage.metadata.get<string | null>(key)) ?? null
  const startedAt = clock.now()
  const totals: PullTotals = { applied: 0, conflicts: 0, queued: false }
  engine.emit({ type: 'pull-started', cursor })
  for (let pages = 1; !context.signal.aborted; pages++) {
    const page = checkPage(await adapter.pull!({ cursor, limit: setup.pageSize, userId }, context), cursor)
    const accepted: AcceptedRemote[] = []
    const refused: Parameters<typeof storage.deadLetters.add>[0][number][] = []
    const failedAt = clock.now()
    page.changes.forEach((input, index) => {
      const verdict = checkRemote(internals.context, userId, input)
      if ('accepted' in verdict) accepted.push(verdict.accepted)
      else if ('foreign' in verdict) {
        logger.warn('[autosync] [pull] dropped a record of another user', verdict)
      } else {
        const { table, key: recordKey } = verdict
        refused.push({
          // A negative version names the dead letter and matches no outbox entry; the value stays on the backend.
          change: { table, key: recordKey, seq: -(failedAt * 1000 + index) } as PendingChange,
          reason: verdict.refused,
          kind: 'rejected',
          direction: 'pull',
          failedAt,
          userId,
        })
      }
    })
    const outcome = await applyPage(
      { internals, clientId: storage.clientId, userId, resolve: setup.resolve, cursorKey: key, logger },
      accepted,
      page.cursor,
    )
    if (outcome.events.length > 0 || outcome.queuedSeq !== undefined) {
      internals.announce(outcome.events, outcome.queuedSeq, [userId])
    }
    if (refused.length > 0) {
      for (const deadLetter of await storage.deadLetters.add(refused))
        engine.emit({ type: 'change-dead-lettered', deadLetter })
      await engine.recount()
    }
    for (const conflict of outcome.conflicts) engine.emit({ type: 'conflict-resolved', ...conflict })
    cursor = page.cursor
    totals.applied += outcome.applied
    totals.conflicts += outcome.conflicts.length
    totals.queued ||= outcome.queuedSeq !== undefined
    status.set({
      pullCursor: cursor,
      pullProgress: { pages, applied: totals.applied },
      conflicts: (status.get().conflicts ?? 0) + outcome.conflicts.length,
    })
    if (!page.hasMore) break
  }
  const end = clock.now()
  status.set({ lastPullTime: end, pullProgress: null })
  engine.emit({ type: 'pull-succeeded', ...totals, durationMs: end - startedAt })
  return totals
}
