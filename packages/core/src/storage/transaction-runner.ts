import { AutoSyncError, StorageError } from '../errors'
import { outboxStore } from './constants'
import { mapStorageError, mapTransactionError } from './map-error'
import { tableConfig, type WriteContext } from './prepare'
import { whenDone } from './request'
import { createWriter, type TransactionWriter } from './writer'

export interface RunnerOptions {
  context: WriteContext
  database(): Promise<IDBDatabase>
  /** Emits the events of a committed transaction. */
  publish(writer: TransactionWriter): void
}

export type RunTransaction = <R>(
  tables: readonly string[],
  action: string,
  body: (writer: TransactionWriter) => Promise<R>,
) => Promise<R>

const noop = () => {}

/**
 * Runs writes and their outbox entry in one readwrite transaction. On any throw the transaction is
 * aborted, so neither records nor outbox entry nor events exist.
 */
export function createTransactionRunner(options: RunnerOptions): RunTransaction {
  return async (tables, action, body) => {
    const configs = tables.map((table) => tableConfig(options.context, table))
    const database = await options.database()
    const names = [...new Set(configs.map((config) => config.name))]
    if (configs.some((config) => config.sync)) names.push(outboxStore)
    let transaction: IDBTransaction
    try {
      transaction = database.transaction(names, 'readwrite')
    } catch (error) {
      throw mapStorageError(error, action)
    }
    const done = whenDone(transaction)
    done.catch(noop)
    const writer = createWriter(transaction, options.context)
    let value: Awaited<ReturnType<typeof body>>
    try {
      value = await body(writer)
      await writer.flush()
    } catch (error) {
      let aborted = true
      try {
        transaction.abort()
      } catch {
        aborted = false
      }
      if (!aborted && (await done.then(() => true, noop))) {
        // The callback awaited something else and IndexedDB committed early: queue what was written.
        if (writer.captured.length > 0) {
          const recovery = database.transaction(outboxStore, 'readwrite')
          const recovered = whenDone(recovery)
          const outbox = createWriter(recovery, options.context)
          outbox.captured.push(...writer.captured)
          await outbox.flush()
          await recovered
        }
        options.publish(writer)
        throw new StorageError(
          `[storage] ${action}: the transaction committed before the callback finished, because it awaited something other than the transaction's own calls (a fetch, a timer, another database); the writes made until then are kept and queued for sync, the rest never ran. Await only the transaction's methods inside storage.transaction(), and do other work before or after it`,
          {
            cause: error,
          },
        )
      }
      // A failed request aborted the transaction: its own error says more than the follow-up failure.
      throw mapTransactionError(
        aborted || AutoSyncError.isInstance(error) ? error : (transaction.error ?? error),
        action,
      )
    }
    try {
      await done
    } catch (error) {
      throw mapStorageError(error, action)
    }
    options.publish(writer)
    return value
  }
}
