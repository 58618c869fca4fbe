import { ValidationError } from '../errors'
import type { DeadLetter, DeadLetterStore } from '../types'
import type { OutboxChange } from './coalesce'
import { deadLetterStore, outboxStore, versionsPerEntry } from './constants'
import { mapStorageError } from './map-error'
import { acknowledgeIn } from './outbox'
import { inTransaction, result } from './request'

export interface DeadLetterOptions {
  database(): Promise<IDBDatabase>
  syncedTable(table: string): boolean
  now(): number
  /** Called after a retry re-queued a change. */
  captured(seq: number, userId: string | null): void
}

export function createDeadLetterStore(options: DeadLetterOptions): DeadLetterStore {
  async function run<T>(action: string, body: (database: IDBDatabase) => Promise<T>): Promise<T> {
    try {
      return await body(await options.database())
    } catch (error) {
      throw mapStorageError(error, `deadLetters.${action}`)
    }
  }

  const list = (action: string, userId: string | null | undefined) =>
    run(action, async (database) => {
      const all = await inTransaction(database, deadLetterStore, 'readonly', (transaction) =>
        result<DeadLetter[]>(transaction.objectStore(deadLetterStore).getAll()),
      )
      return userId === undefined ? all : all.filter((letter) => letter.userId === userId)
    })

  return {
    list: (filter = {}) => list('list', filter.userId),
    count: async (filter = {}) => (await list('count', filter.userId)).length,
    add: (entries) =>
      run('add', (database) =>
        inTransaction(database, [outboxStore, deadLetterStore], 'readwrite', async (transaction) => {
          // The version is unique per change, so it names the dead letter.
          const letters = entries.map((entry) => ({ ...entry, id: `${entry.change.table}:${entry.change.seq}` }))
          for (const letter of letters) transaction.objectStore(deadLetterStore).put(letter)
          await acknowledgeIn(
            transaction,
            entries.map((entry) => entry.change),
          )
          return letters
        }),
      ),
    retry: (id) =>
      run('retry', async (database) => {
        const letter = await inTransaction(database, deadLetterStore, 'readonly', (transaction) =>
          result<DeadLetter | undefined>(transaction.objectStore(deadLetterStore).get(id)),
        )
        if (!letter) throw new ValidationError(`[storage] no dead letter "${id}"`, { field: 'id', key: id })
        const { table, key, userId } = letter.change
        const synced = options.syncedTable(table)
        const seq = await inTransaction(
          database,
          synced ? [deadLetterStore, outboxStore, table] : deadLetterStore,
          'readwrite',
          async (transaction) => {
            transaction.objectStore(deadLetterStore).delete(id)
            if (!synced) return undefined
            // Re-queue the record as it is now, not the refused version.
            const current = await result(transaction.objectStore(table).get(key))
            const change: OutboxChange = current
              ? { table, key, op: 'put', json: JSON.stringify(current), created: false, userId }
              : { table, key, op: 'delete', created: false, userId }
            const entry = { timestamp: options.now(), changes: [change] }
            return ((await result(transaction.objectStore(outboxStore).add(entry))) as number) * versionsPerEntry
          },
        )
        if (seq !== undefined) options.captured(seq, userId)
      }),
    discard: (id) =>
      run('discard', (database) =>
        inTransaction(database, deadLetterStore, 'readwrite', async (transaction) => {
          transaction.objectStore(deadLetterStore).delete(id)
        }),
      ),
  }
}
