import { type IDBPDatabase, unwrap } from 'idb'
import { AutoSyncError, StorageError } from '../errors'
import { outboxStore } from './constants'
import { mapStorageError, mapTransactionError } from './map-error'
import { tableConfig, type WriteContext } from './prepare'
import { createWriter, type TransactionWriter, type WriteTransaction } from './writer'

export interface RunnerOptions {
  context: WriteContext
  database(): Promise<IDBPDatabase>
  /** Emits the events of a committed transaction. */
  publish(writer: TransactionWriter): void
}

const noop = () => {}

/** Resolves on `complete`, rejects with the transaction's error on `abort`. */
function whenDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve()
    transaction.onabort = () =>
      reject(transaction.error ?? new DOMException('The transaction was aborted.', 'AbortError'))
  })
}

export type RunTransaction = <R>(
  tables: readonly string[],
  action: string,
  body: (writer: TransactionWriter) => Promise<R>,
) => Promise<R>

/**
 * Runs writes and their outbox entry in one readwrite transaction. On any throw the transaction is
 * aborted, so neither records nor outbox entry nor events exist.
 */
export function createTransactionRunner(options: RunnerOptions): RunTransaction {
  /** The callback awaited something else, IndexedDB committed early: queue what was written, then fail loudly. */
  async function recoverEarlyCommit(writer: TransactionWriter, database: IDBPDatabase): Promise<void> {
    if (writer.captured.length === 0 && writer.events.length === 0) return
    options.context.logger.error(
      '[autosync] [storage] a transaction committed before its callback finished (it awaited something other than a tx call); its committed writes are queued separately',
    )
    if (writer.captured.length > 0) {
      const transaction = unwrap(database).transaction([outboxStore], 'readwrite')
      const done = whenDone(transaction)
      const recovery = createWriter(transaction, options.context)
      recovery.captured.push(...writer.captured)
      await recovery.flush()
      await done
    }
    options.publish(writer)
  }

  return async (tables, action, body) => {
    const configs = tables.map((table) => tableConfig(options.context, table))
    const database = await options.database()
    const names = [...new Set(configs.map((config) => config.name))]
    if (configs.some((config) => config.sync)) names.push(outboxStore)
    let transaction: WriteTransaction
    try {
      transaction = unwrap(database).transaction(names, 'readwrite')
    } catch (error) {
      throw mapStorageError(error, action)
    }
    const done = whenDone(transaction)
    done.catch(noop)
    const writer = createWriter(transaction, options.context)
    let result: Awaited<ReturnType<typeof body>>
    try {
      result = await body(writer)
      await writer.flush()
    } catch (error) {
      let aborted = true
      try {
        transaction.abort()
      } catch {
        aborted = false
      }
      const committed = await done.then(
        () => true,
        () => false,
      )
      if (!aborted && committed) {
        await recoverEarlyCommit(writer, database)
        throw new StorageError(
          `[storage] ${action}: the transaction committed before its callback finished; await only tx calls inside storage.transaction()`,
          { cause: error },
        )
      }
      // A failed request aborted the transaction: its own error says more than the follow-up failure.
      const cause = aborted || AutoSyncError.isInstance(error) ? error : (transaction.error ?? error)
      throw mapTransactionError(cause, action)
    }
    try {
      await done
    } catch (error) {
      throw mapStorageError(transaction.error ?? error, action)
    }
    options.publish(writer)
    return result
  }
}
