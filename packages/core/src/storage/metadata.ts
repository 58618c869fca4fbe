import type { IDBPDatabase } from 'idb'
import type { MetadataStore } from '../types'
import { metadataStore } from './constants'
import { mapStorageError } from './map-error'

export function createMetadataStore(database: () => Promise<IDBPDatabase>): MetadataStore {
  return {
    async get(key) {
      try {
        return await (await database()).get(metadataStore, key)
      } catch (error) {
        throw mapStorageError(error, 'metadata.get')
      }
    },
    async set(key, value) {
      try {
        await (await database()).put(metadataStore, value, key)
      } catch (error) {
        throw mapStorageError(error, 'metadata.set')
      }
    },
  }
}

function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  // Insecure contexts lack randomUUID; getRandomValues is everywhere.
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Reads the persisted client id, creating it once; one readwrite transaction so two tabs agree. */
export async function loadClientId(database: IDBPDatabase): Promise<string> {
  const transaction = database.transaction(metadataStore, 'readwrite')
  let clientId = (await transaction.store.get('clientId')) as string | undefined
  if (typeof clientId !== 'string') {
    clientId = randomId()
    transaction.store.put(clientId, 'clientId')
  }
  await transaction.done
  return clientId
}
