import type { AdapterContext, PullRequest, PullResponse, RemoteChange } from '@autosync/core'
import { parseJsonSafely } from './core'
import { type CursorState, decodeCursor, encodeCursor } from './cursor'
import { failure } from './errors'
import { objectUrl, userFolder } from './keys'
import { listObjects } from './list'
import type { RequestMemory } from './memory'
import type { ResolvedOptions } from './options'
import { formatPosition, positionOf, readSegment, unreadable } from './segment'
import type { Send } from './transport'

/** What compaction writes: the latest change of every record up to `bound`, deletions included. */
export interface CompactionSnapshot {
  format: 'autosync-s3-compaction/1'
  userId: string
  bound: number
  changes: RemoteChange[]
  /** Folded segments within `settleMs` of `bound`: a reader resuming there skips them. */
  seen: string[]
}

export const compactionKey = (bound: number) => `snapshots/log-${formatPosition(bound)}.json`

export async function readCompaction(
  options: ResolvedOptions,
  send: Send,
  folder: string,
  bound: number,
  userId: string,
  signal: AbortSignal,
): Promise<CompactionSnapshot | undefined> {
  const { response, text } = await send(
    { method: 'GET', url: objectUrl(options, folder, `${folder}/${compactionKey(bound)}`), signal },
    [404],
  )
  if (response.status === 404) return
  const snapshot = parseJsonSafely<CompactionSnapshot>(text)
  if (snapshot?.userId !== userId || !Array.isArray(snapshot.changes)) {
    throw failure(`compaction snapshot at ${bound} is not this user's`, 'protocol')
  }
  return snapshot
}

/** The newest compaction bound after `after`, or undefined. */
export async function newestCompaction(
  options: ResolvedOptions,
  send: Send,
  folder: string,
  after: number,
  signal: AbortSignal,
) {
  const prefix = `${folder}/snapshots/log-`
  const { objects } = await listObjects(options, send, folder, {
    prefix,
    ...(after >= 0 ? { startAfter: `${prefix}${formatPosition(after)}.json` } : {}),
    signal,
  })
  const last = objects.at(-1)
  return last ? positionOf(last.key.slice(prefix.length)) : undefined
}

function page(changes: RemoteChange[], state: CursorState, hasMore: boolean): PullResponse {
  return { changes, cursor: encodeCursor(state), hasMore }
}

/**
 * One page of the user's log after the cursor. Segments are read in key order; a cursor that points into
 * segments a compaction deleted falls back to the compaction snapshot, then continues after its bound.
 */
export async function pullPage(
  options: ResolvedOptions,
  send: Send,
  request: PullRequest,
  context: AdapterContext,
  memory: RequestMemory,
): Promise<PullResponse> {
  const { signal } = context
  const userId = request.userId as string
  const folder = userFolder(options, userId)
  const limit = Math.max(1, request.limit)
  const state = decodeCursor(request.cursor)

  if (state.snapshot) return emitSnapshot(state, state.snapshot.bound, state.snapshot.index)

  const logPrefix = `${folder}/log/`
  const from = Math.max(state.floor, state.maxPosition - options.settleMs)
  const seen = new Set(state.seen)
  // The rest of the previous page's listing serves the page that continues from its cursor: it was listed
  // before that page's compaction check, so a segment deleted since answers 404 and the next pull lists again.
  const kept = memory.listingFor(`${folder} ${request.cursor}`)
  const listing =
    kept ??
    (await listObjects(options, send, folder, {
      prefix: logPrefix,
      ...(from >= 0 ? { startAfter: `${logPrefix}${formatPosition(from)}` } : {}),
      signal,
      enough: (count) => count >= seen.size + limit,
    }))
  // Listed before the compactions: a compaction that deleted segments listed here already wrote its snapshot.
  const compacted = kept ? undefined : await newestCompaction(options, send, folder, state.compacted, signal)
  if (compacted !== undefined) {
    if (state.maxPosition < compacted) return emitSnapshot(state, compacted, 0)
    state.compacted = compacted
  }

  const changes: RemoteChange[] = []
  const pending = listing.objects.filter((object) => !seen.has(object.key.slice(logPrefix.length)))
  let stoppedEarly = false
  let missing = false
  let next = 0
  for (; next < pending.length; next++) {
    const object = pending[next]!
    if (changes.length >= limit) {
      stoppedEarly = true
      break
    }
    const name = object.key.slice(logPrefix.length)
    let segment: RemoteChange[]
    const own = memory.takeWritten(object.key)
    if (own !== undefined) {
      segment = readSegment(name, own, userId)
    } else if (object.size > options.maxSegmentBytes) {
      segment = [unreadable(name, `larger than ${options.maxSegmentBytes} bytes`, positionOf(name))]
    } else {
      const { response, text } = await send(
        { method: 'GET', url: objectUrl(options, folder, object.key), signal },
        [404],
      )
      if (response.status === 404) {
        // Deleted by a compaction since the listing: the next pull falls back to its snapshot.
        stoppedEarly = missing = true
        break
      }
      segment = readSegment(name, text, userId)
    }
    const start = state.partial?.name === name ? state.partial.index : 0
    const taken = segment.slice(start, start + limit - changes.length)
    changes.push(...taken)
    if (start + taken.length < segment.length) {
      if (own !== undefined) memory.wrote(object.key, own)
      state.partial = { name, index: start + taken.length }
      stoppedEarly = true
      break
    }
    delete state.partial
    seen.add(name)
    state.maxPosition = Math.max(state.maxPosition, positionOf(name))
  }
  state.seen = [...seen].filter((name) => positionOf(name) >= state.maxPosition - options.settleMs)
  const result = page(changes, state, stoppedEarly || listing.truncated)
  const rest = pending.slice(next)
  memory.keepListing(
    result.hasMore && !missing && rest.length > 0
      ? { cursor: `${folder} ${result.cursor}`, objects: rest, truncated: listing.truncated }
      : undefined,
  )
  return result

  async function emitSnapshot(previous: CursorState, bound: number, index: number): Promise<PullResponse> {
    const snapshot = await readCompaction(options, send, folder, bound, userId, signal)
    if (!snapshot) {
      // A newer compaction replaced it: start over from whatever is newest.
      return page([], { ...previous, snapshot: undefined, maxPosition: -1, compacted: -1, seen: [] }, true)
    }
    const taken = snapshot.changes.slice(index, index + limit)
    const next = index + taken.length
    if (next < snapshot.changes.length) return page(taken, { ...previous, snapshot: { bound, index: next } }, true)
    const resumed: CursorState = { maxPosition: bound, floor: previous.floor, seen: snapshot.seen, compacted: bound }
    return page(taken, resumed, true)
  }
}
