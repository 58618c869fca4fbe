import { randomUuid } from '../runtime/uuid'
import type { MetadataStore } from '../types'
import { metadataStore } from './constants'
import { result, storeRequest, transact } from './request'

export function createMetadataStore(database: () => Promise<IDBDatabase>): MetadataStore {
  return {
    get: (key) => storeRequest(database, 'metadata.get', metadataStore, 'readonly', (store) => store.get(key)),
    set: async (key, value) => {
      await storeRequest(database, 'metadata.set', metadataStore, 'readwrite', (store) => store.put(value, key))
    },
  }
}

/** Reads the persisted client id, creating it once; one readwrite transaction so two tabs agree. */
export function loadClientId(database: () => Promise<IDBDatabase>, action: string): Promise<string> {
  return transact(database, action, metadataStore, 'readwrite', async (transaction) => {
    const store = transaction.objectStore(metadataStore)
    let clientId = await result(store.get('clientId'))
    if (typeof clientId !== 'string') {
      clientId = randomUuid()
      store.put(clientId, 'clientId')
    }
    return clientId as string
  })
}
