// Raw IndexedDB for the benchmarks' floors: requests without a promise each, as core's storage writes.

let counter = 0

/** Opens a fresh database named `{prefix}-{time}-{n}` whose stores `upgrade` creates. */
export function openRawDatabase(
  factory: IDBFactory,
  prefix: string,
  upgrade: (database: IDBDatabase) => void,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(`${prefix}-${Date.now()}-${++counter}`, 1)
    request.onupgradeneeded = () => upgrade(request.result)
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

/** Resolves when the transaction commits, rejects when it aborts. */
export const transactionDone = (transaction: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve()
    transaction.onerror = transaction.onabort = () => reject(transaction.error)
  })
