import type { IDBPDatabase, IDBPTransaction } from 'idb'
import { ValidationError } from '../errors'
import type { DeadLetter, DeadLetterStore } from '../types'
import type { OutboxChange } from './coalesce'
import { deadLetterStore, outboxStore, versionsPerEntry } from './constants'
import { mapStorageError } from './map-error'
import { acknowledgeIn } from './outbox'

export interface DeadLetterOptions {
  database(): Promise<IDBPDatabase>
  syncedTable(table: string): boolean
  now(): number
  /** Called after a retry re-queued a change. */
  captured(seq: number, userId: string | null): void
}

type ReadWrite = IDBPTransaction<unknown, string[], 'readwrite'>

export function createDeadLetterStore(options: DeadLetterOptions): DeadLetterStore {
  async function run<T>(action: string, body: (database: IDBPDatabase) => Promise<T>): Promise<T> {
    try {
      return await body(await options.database())
    } catch (error) {
      throw mapStorageError(error, `deadLetters.${action}`)
    }
  }

  async function list(userId: string | null | undefined): Promise<DeadLetter[]> {
    const all = (await (await options.database()).getAll(deadLetterStore)) as DeadLetter[]
    return userId === undefined ? all : all.filter((letter) => letter.userId === userId)
  }

  return {
    list: (listOptions = {}) => run('list', () => list(listOptions.userId)),
    count: (countOptions = {}) => run('count', async () => (await list(countOptions.userId)).length),
    add(entries) {
      return run('add', async (database) => {
        const transaction = database.transaction([outboxStore, deadLetterStore], 'readwrite') as ReadWrite
        await acknowledgeIn(
          transaction,
          entries.map((entry) => entry.change),
        )
        // The version is unique per change, so it names the dead letter.
        const letters = entries.map((entry) => ({ ...entry, id: `${entry.change.table}:${entry.change.seq}` }))
        for (const letter of letters) transaction.objectStore(deadLetterStore).put(letter)
        await transaction.done
        return letters
      })
    },
    retry(id) {
      return run('retry', async (database) => {
        const letter = (await database.get(deadLetterStore, id)) as DeadLetter | undefined
        if (!letter) throw new ValidationError(`[storage] no dead letter "${id}"`, { field: 'id', key: id })
        const { table, key, userId } = letter.change
        const stores = options.syncedTable(table) ? [deadLetterStore, outboxStore, table] : [deadLetterStore]
        const transaction = database.transaction(stores, 'readwrite') as ReadWrite
        let seq: number | undefined
        if (stores.length === 3) {
          // Re-queue the record as it is now, not the refused version.
          const current = (await transaction.objectStore(table).get(key)) as Record<string, unknown> | undefined
          const change: OutboxChange = current
            ? { table, key, op: 'put', json: JSON.stringify(current), created: false, userId }
            : { table, key, op: 'delete', created: false, userId }
          const entryId = (await transaction
            .objectStore(outboxStore)
            .add({ timestamp: options.now(), changes: [change] })) as number
          seq = entryId * versionsPerEntry
        }
        transaction.objectStore(deadLetterStore).delete(id)
        await transaction.done
        if (seq !== undefined) options.captured(seq, userId)
      })
    },
    discard: (id) => run('discard', async (database) => database.delete(deadLetterStore, id)),
  }
}
