import type { AdapterContext, PullRequest, PullResponse, RemoteChange } from '@autosync/core'
import { failure, settle } from './errors'
import type { ResolvedOptions } from './options'
import { collection, getDocs, limit, orderBy, type QueryDocumentSnapshot, query, Timestamp, where } from './sdk'

/** Where pulling resumes: the last `_updatedAt` applied, and the documents already applied at exactly that time. */
interface Cursor {
  seconds: number
  nanos: number
  seen: string[]
}

interface Found {
  table: string
  snapshot: QueryDocumentSnapshot
  at: Timestamp
  /** `table/documentId`: what the cursor remembers. */
  id: string
  /** Time first (`Timestamp.valueOf` is fixed-width text), then id: one order on every device. */
  order: string
}

const forbidden = new Set(['__proto__', 'constructor', 'prototype'])

function decodeCursor(cursor: string | null): Cursor {
  if (cursor === null) return { seconds: 0, nanos: 0, seen: [] }
  try {
    const parsed = JSON.parse(cursor) as Cursor
    if (Number.isSafeInteger(parsed.seconds) && Number.isSafeInteger(parsed.nanos) && Array.isArray(parsed.seen))
      return parsed
  } catch {
    // Falls through to the error below.
  }
  throw failure('the pull cursor is not one this adapter wrote', 'protocol')
}

/** A document as a remote change: the app's fields only, with `__proto__`-like keys dropped. */
function toChange({ table, snapshot }: Found): RemoteChange {
  const data = snapshot.data()
  const value: Record<string, unknown> = {}
  for (const [field, fieldValue] of Object.entries(data)) {
    if (field[0] !== '_' && !forbidden.has(field)) value[field] = fieldValue
  }
  const deleted = data._deleted === true
  return {
    table,
    // The key as written (a number stays a number); a document written by something else keeps its id.
    key: typeof data._key === 'number' || typeof data._key === 'string' ? data._key : snapshot.id,
    op: deleted ? 'delete' : 'put',
    ...(deleted ? {} : { value }),
    revision: String(data._rev ?? snapshot.id),
    ...(typeof data._changeId === 'string' && { changeId: data._changeId }),
    timestamp: typeof data._writtenAt === 'number' ? data._writtenAt : 0,
  }
}

/**
 * One page across every table: per table `where('_updatedAt', '>=', cursor)` + `orderBy` + `limit` (no query
 * cursors: the emulator answers them with nothing), merged in time order. Documents written in the same instant
 * as the cursor are skipped by id, so they are neither missed nor pulled twice.
 */
export async function pull(
  options: ResolvedOptions,
  request: PullRequest,
  _context: AdapterContext,
): Promise<PullResponse> {
  const { firestore, collectionPath } = options
  const cursor = decodeCursor(request.cursor)
  const from = new Timestamp(cursor.seconds, cursor.nanos)
  const seen = new Set(cursor.seen)
  const size = Math.max(1, request.limit)
  const wanted = size + seen.size
  let hasMore = false
  const found: Found[] = []
  const readTable = async (table: string) => {
    const page = await getDocs(
      query(
        collection(firestore, collectionPath(request.userId ?? 'anonymous', table)),
        where('_updatedAt', '>=', from),
        orderBy('_updatedAt'),
        limit(wanted),
      ),
    )
    if (page.size >= wanted) hasMore = true
    for (const snapshot of page.docs) {
      const at = snapshot.get('_updatedAt')
      const id = `${table}/${snapshot.id}`
      if (at instanceof Timestamp && !(at.isEqual(from) && seen.has(id)))
        found.push({ table, snapshot, at, id, order: at.valueOf() + id })
    }
  }
  await settle(Promise.all(options.tables.map(readTable)), options.timeoutMs, 'a pull')
  found.sort((left, right) => (left.order < right.order ? -1 : 1))
  if (found.length > size) hasMore = true
  const taken = found.slice(0, size)
  const last = taken.at(-1)
  if (!last) return { changes: [], cursor: request.cursor, hasMore: false }
  const sameInstant = taken.filter((entry) => entry.at.isEqual(last.at)).map((entry) => entry.id)
  const next: Cursor = {
    seconds: last.at.seconds,
    nanos: last.at.nanoseconds,
    seen: last.at.isEqual(from) ? [...seen, ...sameInstant] : sameInstant,
  }
  return { changes: taken.map(toChange), cursor: JSON.stringify(next), hasMore }
}
