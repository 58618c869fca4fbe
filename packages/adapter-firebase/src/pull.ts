import type { AdapterContext, PullRequest, PullResponse, RemoteChange } from '@autosync/core'
import { AdapterError } from '@autosync/core'
import {
  collection,
  getDocs,
  limit,
  orderBy,
  type QueryDocumentSnapshot,
  query,
  Timestamp,
  where,
} from 'firebase/firestore'
import { toAdapterError, withTimeout } from './errors'
import type { ResolvedOptions } from './options'

/** Where pulling resumes: the last `_updatedAt` applied, and the documents already applied at exactly that time. */
interface Cursor {
  seconds: number
  nanos: number
  seen: string[]
}

const forbidden = new Set(['__proto__', 'constructor', 'prototype'])

function decodeCursor(cursor: string | null): Cursor | null {
  if (cursor === null) return null
  try {
    const parsed = JSON.parse(cursor) as Cursor
    if (Number.isSafeInteger(parsed.seconds) && Number.isSafeInteger(parsed.nanos) && Array.isArray(parsed.seen))
      return parsed
  } catch {
    // Falls through to the error below.
  }
  throw new AdapterError('[autosync] [firestore] the pull cursor is not one this adapter wrote', {
    kind: 'protocol',
    retryable: false,
  })
}

const compare = (left: Timestamp, right: Timestamp) =>
  left.seconds - right.seconds || left.nanoseconds - right.nanoseconds

/** A document as a remote change: the app's fields only, with `__proto__`-like keys dropped. */
function toChange(table: string, snapshot: QueryDocumentSnapshot): RemoteChange {
  const data = snapshot.data()
  const value: Record<string, unknown> = {}
  for (const [field, fieldValue] of Object.entries(data)) {
    if (!field.startsWith('_') && !forbidden.has(field)) value[field] = fieldValue
  }
  const deleted = data._deleted === true
  return {
    table,
    // The key as written (a number stays a number); a document written by something else keeps its id.
    key: typeof data._key === 'number' || typeof data._key === 'string' ? data._key : snapshot.id,
    op: deleted ? 'delete' : 'put',
    ...(deleted ? {} : { value }),
    revision: String(data._rev ?? snapshot.id),
    ...(typeof data._changeId === 'string' ? { changeId: data._changeId } : {}),
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
  const { firestore, tables, collectionPath, timeoutMs } = options
  const userId = request.userId ?? 'anonymous'
  const cursor = decodeCursor(request.cursor)
  const from = cursor ? new Timestamp(cursor.seconds, cursor.nanos) : new Timestamp(0, 0)
  const seen = new Set(cursor?.seen ?? [])
  const size = Math.max(1, request.limit)
  let hasMore = false
  const found: { table: string; snapshot: QueryDocumentSnapshot; at: Timestamp }[] = []
  try {
    await withTimeout(
      Promise.all(
        tables.map(async (table) => {
          const wanted = size + seen.size
          const page = await getDocs(
            query(
              collection(firestore, collectionPath(userId, table)),
              where('_updatedAt', '>=', from),
              orderBy('_updatedAt'),
              limit(wanted),
            ),
          )
          if (page.size >= wanted) hasMore = true
          for (const snapshot of page.docs) {
            const at = snapshot.get('_updatedAt')
            if (!(at instanceof Timestamp)) continue
            if (compare(at, from) === 0 && seen.has(`${table}/${snapshot.id}`)) continue
            found.push({ table, snapshot, at })
          }
        }),
      ),
      timeoutMs,
      'a pull',
    )
  } catch (error) {
    throw toAdapterError(error, 'a pull')
  }
  found.sort(
    (left, right) =>
      compare(left.at, right.at) ||
      left.table.localeCompare(right.table) ||
      left.snapshot.id.localeCompare(right.snapshot.id),
  )
  if (found.length > size) hasMore = true
  const taken = found.slice(0, size)
  const last = taken.at(-1)
  if (!last) return { changes: [], cursor: request.cursor, hasMore: false }
  const sameInstant = taken
    .filter((entry) => compare(entry.at, last.at) === 0)
    .map((entry) => `${entry.table}/${entry.snapshot.id}`)
  const next: Cursor = {
    seconds: last.at.seconds,
    nanos: last.at.nanoseconds,
    seen: compare(last.at, from) === 0 ? [...seen, ...sameInstant] : sameInstant,
  }
  return { changes: taken.map((entry) => toChange(entry.table, entry.snapshot)), cursor: JSON.stringify(next), hasMore }
}
