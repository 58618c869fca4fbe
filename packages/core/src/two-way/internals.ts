import { metadataStore, outboxStore } from '../storage/constants'
import type { WriteContext } from '../storage/prepare'
import { transact } from '../storage/request'
import type { StorageEvent } from '../types'

/** What `openStorage` shares with the two-way entry (see `internals` in runtime). */
export interface StorageInternals {
  database(): Promise<IDBDatabase>
  context: WriteContext
  announce(events: StorageEvent[], seq?: number, userIds?: (string | null)[]): void
}

/** One readwrite transaction over `tables`, the outbox and the metadata; a throw aborts all of it. */
export const writeAll = <T>(
  internals: StorageInternals,
  action: string,
  tables: string[],
  body: (transaction: IDBTransaction) => Promise<T>,
): Promise<T> =>
  transact(internals.database, action, [...tables, outboxStore, metadataStore], 'readwrite', async (transaction) => {
    try {
      return await body(transaction)
    } catch (error) {
      transaction.abort()
      throw error
    }
  })
