import type { RecordKey } from '../types'

/** A remote change met a pending local change to the same record: what the resolver sees. `null` is a delete. */
export interface Conflict {
  table: string
  key: RecordKey
  local: Record<string, unknown> | null
  remote: Record<string, unknown> | null
  /** Fields the pending local change touched; absent when it wrote the whole record. */
  localChangedFields?: string[]
  remoteChangedFields?: string[]
  /** Writer clocks (epoch ms) and client ids, for deterministic last-write-wins. */
  localTimestamp: number
  remoteTimestamp: number
  localClientId: string
  remoteClientId: string
}

/** Decides a conflict: the record's next value, or `null` to delete it. */
export type ConflictResolver = (conflict: Conflict) => Record<string, unknown> | null

/** The backend's version wins; the pending local change is dropped. */
export const serverWins = (): ConflictResolver => (conflict) => conflict.remote

/** This device's version wins and is pushed on top of the remote one. */
export const clientWins = (): ConflictResolver => (conflict) => conflict.local

/** The later writer clock wins; equal clocks go to the larger client id, so every device decides alike. */
export const lastWriteWins = (): ConflictResolver => (conflict) => {
  const { localTimestamp, remoteTimestamp, localClientId, remoteClientId } = conflict
  const localIsLater =
    localTimestamp !== remoteTimestamp ? localTimestamp > remoteTimestamp : localClientId > remoteClientId
  return localIsLater ? conflict.local : conflict.remote
}

/**
 * Field-level merge: fields the local change touched keep their local value, every other field takes the remote
 * one. A local delete stays a delete; a remote delete against local edits keeps the local record (edits win over
 * a delete nobody saw them against). A local change without `changedFields` (a create or whole put) wins whole.
 */
export const mergeFields = (): ConflictResolver => (conflict) => {
  const { local, remote, localChangedFields } = conflict
  if (!local || !remote || !localChangedFields) return local
  const merged: Record<string, unknown> = { ...remote }
  for (const field of localChangedFields) {
    if (Object.hasOwn(local, field)) merged[field] = local[field]
    else delete merged[field]
  }
  return merged
}
