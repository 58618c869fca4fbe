import { metadataStore, outboxStore } from '../storage/constants'
import { transact } from '../storage/request'
import type { StorageAccess } from '../types'

/** One readwrite transaction over `tables`, the outbox and the metadata; a throw aborts all of it. */
export const writeAll = <T>(
  access: StorageAccess,
  action: string,
  tables: string[],
  body: (transaction: IDBTransaction) => Promise<T>,
): Promise<T> =>
  transact(access.database, action, [...tables, outboxStore, metadataStore], 'readwrite', async (transaction) => {
    try {
      return await body(transaction)
    } catch (error) {
      transaction.abort()
      throw error
    }
  })
