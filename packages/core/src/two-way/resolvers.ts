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
export type ConflictResolver = ((conflict: Conflict) => Record<string, unknown> | null) & {
  /**
   * Says why the resolver decided as it did, for `conflict-resolved` and the devtools panel. Names fields and
   * clocks, never values (they may be encrypted on the wire). Optional: without it the event carries only the choice.
   */
  explain?(conflict: Conflict): string
}

/** A resolver with its explanation. */
const explained = (
  resolve: (conflict: Conflict) => Record<string, unknown> | null,
  explain: (conflict: Conflict) => string,
): ConflictResolver => Object.assign(resolve, { explain })

/** The backend's version wins; the pending local change is dropped. */
export const serverWins = (): ConflictResolver =>
  explained(
    (conflict) => conflict.remote,
    () => "serverWins: the backend's version wins over this device's pending change",
  )

/** This device's version wins and is pushed on top of the remote one. */
export const clientWins = (): ConflictResolver =>
  explained(
    (conflict) => conflict.local,
    () => "clientWins: this device's pending change wins and is pushed over the backend's version",
  )

const localIsLater = ({ localTimestamp, remoteTimestamp, localClientId, remoteClientId }: Conflict) =>
  localTimestamp !== remoteTimestamp ? localTimestamp > remoteTimestamp : localClientId > remoteClientId

/** The later writer clock wins; equal clocks go to the larger client id, so every device decides alike. */
export const lastWriteWins = (): ConflictResolver =>
  explained(
    (conflict) => (localIsLater(conflict) ? conflict.local : conflict.remote),
    (conflict) => {
      const local = new Date(conflict.localTimestamp).toISOString()
      const remote = new Date(conflict.remoteTimestamp).toISOString()
      if (conflict.localTimestamp === conflict.remoteTimestamp)
        return `lastWriteWins: both were written at ${local}; the larger client id (${localIsLater(conflict) ? "this device's" : "the other writer's"}) wins`
      return localIsLater(conflict)
        ? `lastWriteWins: this device wrote later (${local}, the other writer ${remote})`
        : `lastWriteWins: the other writer wrote later (${remote}, this device ${local})`
    },
  )

/**
 * Field-level merge: fields the local change touched keep their local value, every other field takes the remote
 * one. A local delete stays a delete; a remote delete against local edits keeps the local record (edits win over
 * a delete nobody saw them against). A local change without `changedFields` (a create or whole put) wins whole.
 */
export const mergeFields = (): ConflictResolver =>
  explained(
    (conflict) => {
      const { local, remote, localChangedFields } = conflict
      if (!local || !remote || !localChangedFields) return local
      const merged: Record<string, unknown> = { ...remote }
      for (const field of localChangedFields) {
        if (Object.hasOwn(local, field)) merged[field] = local[field]
        else delete merged[field]
      }
      return merged
    },
    ({ local, remote, localChangedFields }) => {
      if (!local) return 'mergeFields: this device deleted the record, and a delete stays a delete'
      if (!remote) return "mergeFields: this device's edits win over a delete made without seeing them"
      if (!localChangedFields) return 'mergeFields: this device wrote the whole record, so it wins whole'
      return `mergeFields: kept this device's ${localChangedFields.join(', ') || 'no fields'}; every other field from the other writer`
    },
  )
