import type { Change, PushBatch, RemoteChange } from '@autosync/core'
import { parseJsonSafely } from './core'

/** Digits of a segment position (epoch ms from the writer's clock): sorts as text the same way as numbers. */
const positionDigits = 15

export const formatPosition = (position: number) =>
  String(Math.max(0, Math.floor(position))).padStart(positionDigits, '0')

export const positionOf = (name: string) => Number(name.slice(0, positionDigits))

/** What one log object holds: one push batch. */
export interface Segment {
  format: 'autosync-s3-log/1'
  userId: string
  clientId: string
  batchId: string
  changes: Change[]
}

/** `{position}-{clientId}-{batchId}.json` with each part encoded by the caller. */
export function segmentName(position: number, encodedClientId: string, encodedBatchId: string): string {
  return `${formatPosition(position)}-${encodedClientId}-${encodedBatchId}.json`
}

/** A revision every device derives the same way: the segment name plus the change's index, zero padded. */
export const revisionOf = (name: string, index: number) =>
  `${name.replace(/\.json$/, '')}#${String(index).padStart(5, '0')}`

export function serializeSegment(batch: PushBatch, userId: string): string {
  const segment: Segment = {
    format: 'autosync-s3-log/1',
    userId,
    clientId: batch.clientId,
    batchId: batch.batchId,
    changes: batch.changes,
  }
  return JSON.stringify(segment)
}

const dangerous = new Set(['__proto__', 'constructor', 'prototype'])

function namesDangerousKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  for (const key of Object.keys(value)) {
    if (dangerous.has(key) || namesDangerousKey((value as Record<string, unknown>)[key])) return true
  }
  return false
}

/** Why a segment's change cannot be a remote change, or undefined when its fields have the right types. */
function changeProblem(change: unknown): string | undefined {
  if (change === null || typeof change !== 'object' || Array.isArray(change)) return 'a change that is not an object'
  const { table, key, op, changeId, baseRevision } = change as Record<string, unknown>
  if (typeof table !== 'string') return 'a change whose table is not a string'
  if (typeof key !== 'string' && typeof key !== 'number') return 'a change whose key is not a string or a number'
  if (op !== 'put' && op !== 'delete') return "a change whose op is not 'put' or 'delete'"
  if (changeId !== undefined && typeof changeId !== 'string') return 'a change whose changeId is not a string'
  if (baseRevision !== undefined && baseRevision !== null && typeof baseRevision !== 'string') {
    return 'a change whose baseRevision is not a string or null'
  }
  return undefined
}

/** A change that core refuses into dead letters (`direction: 'pull'`) naming why the segment was unusable. */
export function unreadable(name: string, reason: string, timestamp: number): RemoteChange {
  return {
    table: `[s3] unreadable log segment: ${reason}`,
    key: name,
    op: 'put',
    revision: revisionOf(name, 0),
    timestamp,
  }
}

/**
 * The remote changes of a segment's text, or one unreadable marker when the segment is not JSON, is not a
 * segment, or names another user. A change carrying `__proto__`-like keys becomes its own marker.
 */
export function readSegment(name: string, text: string, userId: string): RemoteChange[] {
  let parsed: Partial<Segment>
  try {
    parsed = parseJsonSafely<Partial<Segment>>(text)
  } catch {
    return [unreadable(name, 'not JSON', positionOf(name))]
  }
  if (parsed === null || typeof parsed !== 'object' || !Array.isArray(parsed.changes)) {
    return [unreadable(name, 'not a log segment', positionOf(name))]
  }
  if (parsed.userId !== userId) return [unreadable(name, 'names another user', positionOf(name))]
  // Plain JSON.parse keeps `__proto__` as an own key (it never reaches a prototype): only used to find them.
  const raw = /__proto__|constructor|prototype|\\u/.test(text) ? (JSON.parse(text) as Segment).changes : undefined
  return parsed.changes.map((change, index): RemoteChange => {
    const timestamp = typeof change?.timestamp === 'number' ? change.timestamp : positionOf(name)
    if (raw && namesDangerousKey(raw[index])) return unreadable(revisionOf(name, index), 'a __proto__ key', timestamp)
    // Types are checked before anything reads them: one hostile change must not stop the pull of the whole log.
    const problem = changeProblem(change)
    if (problem) return unreadable(revisionOf(name, index), problem, timestamp)
    const remote: RemoteChange = {
      table: change?.table,
      key: change?.key,
      op: change?.op,
      revision: revisionOf(name, index),
      changeId: change?.changeId,
      timestamp,
      baseRevision: change?.baseRevision ?? null,
    }
    if (change?.op === 'put') remote.value = change.value
    return remote
  })
}
