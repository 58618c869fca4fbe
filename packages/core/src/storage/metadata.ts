import type { MetadataStore } from '../types'
import { metadataStore } from './constants'
import { mapStorageError } from './map-error'
import { inTransaction, result } from './request'

export function createMetadataStore(database: () => Promise<IDBDatabase>): MetadataStore {
  const run = async <T>(action: string, mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest<T>) => {
    try {
      return await inTransaction(await database(), metadataStore, mode, (transaction) =>
        result(body(transaction.objectStore(metadataStore))),
      )
    } catch (error) {
      throw mapStorageError(error, `metadata.${action}`)
    }
  }
  return {
    get: (key) => run('get', 'readonly', (store) => store.get(key)),
    set: async (key, value) => {
      await run('set', 'readwrite', (store) => store.put(value, key))
    },
  }
}

// Insecure contexts (plain http on a LAN address) lack randomUUID; getRandomValues is everywhere.
const randomId = (): string =>
  crypto.randomUUID?.() ??
  '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (digit) =>
    (Number(digit) ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (Number(digit) / 4)))).toString(16),
  )

/** Reads the persisted client id, creating it once; one readwrite transaction so two tabs agree. */
export function loadClientId(database: IDBDatabase): Promise<string> {
  return inTransaction(database, metadataStore, 'readwrite', async (transaction) => {
    const store = transaction.objectStore(metadataStore)
    let clientId = await result(store.get('clientId'))
    if (typeof clientId !== 'string') {
      clientId = randomId()
      store.put(clientId, 'clientId')
    }
    return clientId as string
  })
}
