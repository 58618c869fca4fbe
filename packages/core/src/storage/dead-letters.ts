import { AutoSyncError, ValidationError } from '../errors'
import type { DeadLetter, DeadLetterStore } from '../types'
import { deadLetterStore, outboxStore } from './constants'
import { acknowledgeIn } from './outbox'
import { addToOutbox, outboxChange } from './outbox-entry'
import { result, storeRequest, transact } from './request'

export interface DeadLetterOptions {
  database(): Promise<IDBDatabase>
  syncedTable(table: string): boolean
  now(): number
  /** Called after a retry re-queued a change. */
  captured(seq: number, userId: string | null): void
}

export function createDeadLetterStore(options: DeadLetterOptions): DeadLetterStore {
  const { database } = options
  const action = (name: string) => `deadLetters.${name}`

  const list = async (name: string, userId: string | null | undefined) => {
    const all = await storeRequest<DeadLetter[]>(database, action(name), deadLetterStore, 'readonly', (store) =>
      store.getAll(),
    )
    return userId === undefined ? all : all.filter((letter) => letter.userId === userId)
  }

  return {
    list: (filter = {}) => list('list', filter.userId),
    count: async (filter = {}) => (await list('count', filter.userId)).length,
    add: (entries) =>
      transact(database, action('add'), [outboxStore, deadLetterStore], 'readwrite', async (transaction) => {
        // The version is unique per change, so it names the dead letter.
        const letters = entries.map((entry) => ({ ...entry, id: `${entry.change.table}:${entry.change.seq}` }))
        for (const letter of letters) transaction.objectStore(deadLetterStore).put(letter)
        await acknowledgeIn(
          transaction,
          entries.map((entry) => entry.change),
        )
        return letters
      }),
    async retry(id) {
      const letter = await storeRequest<DeadLetter | undefined>(
        database,
        action('retry'),
        deadLetterStore,
        'readonly',
        (store) => store.get(id),
      )
      if (!letter) throw new ValidationError(`[storage] no dead letter "${id}"`, { field: 'id', key: id })
      // Re-queuing would push this device's copy (or a delete where it has none) over the record it refused.
      if (letter.direction === 'pull') {
        throw new AutoSyncError(
          `[autosync] [storage] dead letter "${id}" is a remote change to ${letter.change.table}/${String(letter.change.key)} that this device refused on pull (${letter.reason}); retrying it would push this device's copy instead, so it stays listed: discard it, or correct the record on the backend and the next pull brings it`,
          { code: 'pull-dead-letter-not-retryable' },
        )
      }
      const { table, key, userId } = letter.change
      const synced = options.syncedTable(table)
      const stores = synced ? [deadLetterStore, outboxStore, table] : deadLetterStore
      const seq = await transact(database, action('retry'), stores, 'readwrite', async (transaction) => {
        transaction.objectStore(deadLetterStore).delete(id)
        if (!synced) return undefined
        // Re-queue the record as it is now, not the refused version.
        const current = await result(transaction.objectStore(table).get(key))
        const json = current ? JSON.stringify(current) : undefined
        const [queued] = await addToOutbox(transaction, options.now(), [
          outboxChange({ table, key, userId, op: current ? 'put' : 'delete', json }),
        ])
        return queued
      })
      if (seq !== undefined) options.captured(seq, userId)
    },
    discard: async (id) => {
      await storeRequest(database, action('discard'), deadLetterStore, 'readwrite', (store) => store.delete(id))
    },
  }
}
