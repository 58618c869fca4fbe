import { StorageError } from '../errors'
import type { TableDefinition } from '../types'
import { deadLetterStore, metadataStore, outboxStore } from './constants'

function sameKeyPath(left: string | string[] | null, right: string | string[]): boolean {
  return JSON.stringify(left) === JSON.stringify(right)
}

/** Creates the app's tables, their indexes and the internal stores; never deletes an app table's data. */
export function upgradeSchema(
  database: IDBDatabase,
  transaction: IDBTransaction,
  tables: Record<string, TableDefinition>,
): void {
  const names = database.objectStoreNames
  if (!names.contains(outboxStore)) database.createObjectStore(outboxStore, { keyPath: 'id', autoIncrement: true })
  if (!names.contains(metadataStore)) database.createObjectStore(metadataStore)
  if (!names.contains(deadLetterStore)) database.createObjectStore(deadLetterStore, { keyPath: 'id' })
  for (const [table, definition] of Object.entries(tables)) {
    let store: IDBObjectStore
    if (names.contains(table)) {
      store = transaction.objectStore(table)
      if (!sameKeyPath(store.keyPath, definition.keyPath)) {
        throw new StorageError(`[storage] table "${table}" keyPath cannot become "${definition.keyPath}"`)
      }
    } else {
      store = database.createObjectStore(table, { keyPath: definition.keyPath })
    }
    const indexes = definition.indexes ?? {}
    for (const name of [...store.indexNames]) {
      const wanted = indexes[name]
      if (wanted === undefined || !sameKeyPath(store.index(name).keyPath, wanted)) store.deleteIndex(name)
    }
    for (const [name, keyPath] of Object.entries(indexes)) {
      if (!store.indexNames.contains(name)) store.createIndex(name, keyPath)
    }
  }
}
