import { randomUuid } from '../runtime/uuid'
import { deadLetterStore } from '../storage/constants'
import { transact } from '../storage/request'
import type { DeadLetter, RecordKey, StorageAccess } from '../types'

/** A remote change this device refused on pull. */
export interface RefusedRemote {
  table: string
  key: RecordKey
  /** What the remote change said, when it said 'put' or 'delete'. Default 'put'. */
  op?: 'put' | 'delete'
  reason: string
  kind: string
  failedAt: number
  userId: string | null
}

/**
 * Stores refused remote changes as dead letters (`direction: 'pull'`) in one transaction; the outbox is not touched,
 * since nothing was queued. Each letter gets its own id: a refused change has no outbox version to be named by.
 */
export function deadLetterRefused(access: StorageAccess, entries: readonly RefusedRemote[]): Promise<DeadLetter[]> {
  return transact(access.database, 'pull.deadLetters', deadLetterStore, 'readwrite', async (transaction) => {
    const store = transaction.objectStore(deadLetterStore)
    const letters = entries.map(({ table, key, op = 'put', reason, kind, failedAt, userId }): DeadLetter => {
      const change = { table, key, op, created: false, seq: 0, firstSeq: 0, timestamp: failedAt, userId }
      return { id: `${table}:pull:${randomUuid()}`, change, reason, kind, failedAt, userId, direction: 'pull' }
    })
    for (const letter of letters) store.put(letter)
    return letters
  })
}
