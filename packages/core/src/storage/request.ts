import { mapStorageError } from './map-error'

/** The answer of one request. A failed request also aborts its transaction unless handled. */
export function result<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

/** Resolves on `complete`, rejects with the transaction's error on `abort`. */
export function whenDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve()
    transaction.onabort = () => reject(transaction.error ?? new DOMException('Transaction aborted', 'AbortError'))
  })
}

/** Walks a cursor with callbacks (no await per record); `visit` returns `false` to stop early. */
export function walkCursor(
  request: IDBRequest<IDBCursorWithValue | null>,
  visit: (cursor: IDBCursorWithValue) => boolean | void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    request.onerror = () => reject(request.error)
    request.onsuccess = () => {
      const cursor = request.result
      if (!cursor || visit(cursor) === false) resolve()
      else cursor.continue()
    }
  })
}

/**
 * Runs `body` in a new transaction on the current connection and resolves with its result once the
 * transaction completed; IndexedDB failures become AutoSyncErrors naming `action`.
 */
export async function transact<T>(
  database: () => Promise<IDBDatabase>,
  action: string,
  stores: string | string[],
  mode: IDBTransactionMode,
  body: (transaction: IDBTransaction) => Promise<T> | T,
): Promise<T> {
  try {
    const transaction = (await database()).transaction(stores, mode)
    const done = whenDone(transaction)
    done.catch(() => {})
    const value = await body(transaction)
    await done
    return value
  } catch (error) {
    throw mapStorageError(error, action)
  }
}

/** One request on one store in its own transaction. */
export const storeRequest = <T>(
  database: () => Promise<IDBDatabase>,
  action: string,
  store: string,
  mode: IDBTransactionMode,
  request: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> =>
  transact(database, action, store, mode, (transaction) => result(request(transaction.objectStore(store))))
