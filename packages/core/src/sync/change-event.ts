import type { PendingChange, StorageEvent } from '../types'

/** A queued change as the storage event it came from, so skip rules see at push what they saw at capture. */
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
