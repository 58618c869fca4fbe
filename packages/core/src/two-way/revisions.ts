import type { RecordKey } from '../types'

/** Metadata key of the revision this device last saw for a record (pulled or acknowledged): its push base. */
export const revisionKey = (table: string, key: RecordKey) => `rev\u0000${table}\u0000${typeof key}\u0000${key}`

/** Metadata key of the pull cursor: one per database (the metadata store's own), user and adapter. */
export const cursorKey = (adapterName: string, userId: string | null) => `autosync.pullCursor.${adapterName}.${userId}`
