import { AdapterError } from '../errors'
import { transformIncoming, transformsRemote } from '../sync/plugin-policy'
import type { AdapterContext, AutoSync, PullResponse, RemoteChange, StorageAccess, SyncHost } from '../types'
import { isPlainObject } from '../validation'
import { applyPage } from './apply-page'
import { deadLetterRefused, type RefusedRemote } from './refused-remote'
import { type AcceptedRemote, checkRemote, type RemoteVerdict } from './remote-input'
import type { ConflictResolver } from './resolvers'
import { cursorKey } from './revisions'

/** What one `twoWay()` plugin pulls with: the engine it extends and its own options. */
export interface PullSetup {
  autoSync: AutoSync
  host: SyncHost
  access: StorageAccess
  resolve: ConflictResolver
  pageSize: number
}

export interface PullTotals {
  applied: number
  conflicts: number
  /** A resolution was queued: the attempt pushes it. */
  queued: boolean
}

const protocolError = (adapter: string, problem: string) =>
  new AdapterError(`[autosync] [pull] the "${adapter}" adapter answered ${problem}; nothing of that page was applied`, {
    kind: 'protocol',
    retryable: true,
  })

/** A page the engine can trust the shape of; anything else applies nothing. */
function checkPage(adapter: string, response: unknown, requested: string | null): PullResponse {
  const page = response as PullResponse
  if (!isPlainObject(response) || !Array.isArray(page.changes)) {
    throw protocolError(adapter, 'a page without a changes array')
  }
  if (typeof page.hasMore !== 'boolean') throw protocolError(adapter, 'a page without a boolean hasMore')
  if (page.cursor !== null && typeof page.cursor !== 'string') {
    throw protocolError(adapter, 'a page whose cursor is neither a string nor null')
  }
  // Opaque cursors only compare when both are numbers (NaN compares false); none after one always goes back.
  const backwards = (requested !== null && page.cursor === null) || Number(page.cursor) < Number(requested)
  if (backwards) throw protocolError(adapter, `a cursor that went backwards (${requested} → ${page.cursor})`)
  if (page.hasMore && page.cursor === requested) {
    throw protocolError(
      adapter,
      `hasMore without a new cursor (still ${requested}), which would pull the same page forever`,
    )
  }
  return page
}

/** The accepted change as plugins see it: the checked value, the rest of the backend's fields as they came. */
const remoteOf = (accepted: AcceptedRemote, input: unknown): RemoteChange => ({
  ...(input as RemoteChange),
  table: accepted.table.name,
  key: accepted.key,
  ...(accepted.value && { value: accepted.value }),
})

/** Checks a remote change, lets the app's plugins rewrite it (`transformRemote`), and checks what they return. */
function verdictOf(setup: PullSetup, input: unknown, withPlugins: boolean): RemoteVerdict | 'dropped' {
  const { host } = setup
  const userId = host.userId
  const verdict = checkRemote(setup.access.context, userId, input)
  if (!withPlugins || !('accepted' in verdict)) return verdict
  const context = { userId, clientId: setup.autoSync.storage.clientId }
  let transformed: RemoteChange | null
  try {
    transformed = transformIncoming(host.plugins, remoteOf(verdict.accepted, input), context)
  } catch (error) {
    const { table, key } = verdict.accepted
    const message = error instanceof Error ? error.message : String(error)
    return {
      refused: `[autosync] [pull] a remote change to ${table.name}/${String(key)} was refused by a plugin's transformRemote (${message}); it was not applied and the rest of the page was`,
      table: table.name,
      key,
    }
  }
  return transformed === null ? 'dropped' : checkRemote(setup.access.context, userId, transformed)
}

/** Pulls every page after the persisted cursor, each applied with its cursor in one transaction. */
export async function pullAll(setup: PullSetup, context: AdapterContext): Promise<PullTotals> {
  const { host, autoSync } = setup
  const { adapter, storage } = autoSync
  const { clock, logger } = host
  const userId = context.userId
  const key = cursorKey(adapter.name, userId)
  let cursor = (await storage.metadata.get<string | null>(key)) ?? null
  const startedAt = clock.now()
  const totals: PullTotals = { applied: 0, conflicts: 0, queued: false }
  const withPlugins = transformsRemote(host.plugins)
  host.emit({ type: 'pull-started', cursor })
  for (let pages = 1; !context.signal.aborted; pages++) {
    const response = await adapter.pull!({ cursor, limit: setup.pageSize, userId }, context)
    const page = checkPage(adapter.name, response, cursor)
    const accepted: AcceptedRemote[] = []
    const refused: RefusedRemote[] = []
    const failedAt = clock.now()
    for (const input of page.changes) {
      const verdict = verdictOf(setup, input, withPlugins)
      if (verdict === 'dropped') logger.debug('[autosync] [pull] a plugin left a remote change unapplied')
      else if ('accepted' in verdict) accepted.push(verdict.accepted)
      else if ('foreign' in verdict) {
        logger.warn('[autosync] [pull] dropped a record of another user', verdict)
      } else {
        const { table, key: recordKey } = verdict
        const op = (input as Partial<RemoteChange> | null)?.op
        // The value stays on the backend: the letter names the change and why it was refused.
        refused.push({
          table,
          key: recordKey,
          ...((op === 'put' || op === 'delete') && { op }),
          reason: verdict.refused,
          kind: 'rejected',
          failedAt,
          userId,
        })
      }
    }
    const outcome = await applyPage(
      { access: setup.access, clientId: storage.clientId, userId, resolve: setup.resolve, cursorKey: key, logger },
      accepted,
      page.cursor,
    )
    if (outcome.events.length > 0 || outcome.queuedSeq !== undefined) {
      setup.access.announce(outcome.events, outcome.queuedSeq, [userId])
    }
    for (const deadLetter of refused.length > 0 ? await deadLetterRefused(setup.access, refused) : []) {
      host.emit({ type: 'change-dead-lettered', deadLetter })
    }
    // The counts changed only when a change was refused or an echo acknowledged a pending one.
    if (refused.length > 0 || outcome.echoed > 0) await host.recount()
    for (const conflict of outcome.conflicts) host.emit({ type: 'conflict-resolved', ...conflict })
    cursor = page.cursor
    totals.applied += outcome.applied
    totals.conflicts += outcome.conflicts.length
    totals.queued ||= outcome.queuedSeq !== undefined
    host.report({
      pullCursor: cursor,
      pullProgress: { pages, applied: totals.applied },
      conflicts: (autoSync.getStatus().conflicts ?? 0) + outcome.conflicts.length,
    })
    if (!page.hasMore) break
  }
  const end = clock.now()
  host.report({ lastPullTime: end, pullProgress: null })
  host.emit({ type: 'pull-succeeded', ...totals, durationMs: end - startedAt })
  return totals
}
