import type { Firestore } from 'firebase/firestore'

export interface FirestoreAdapterOptions {
  /** The app's own `getFirestore(app)` instance (modular `firebase/firestore`, peer dependency). */
  firestore: Firestore
  /** The synced tables: pull and live read one collection per table. */
  tables: string[]
  /** Where a user's table lives. Default `users/{userId}/{table}` (what `firestore.rules` allows). */
  collectionPath?: (userId: string, table: string) => string
  /** A commit or query that takes longer fails as a retryable `timeout`; the SDK's own retry stops counting. Default 30,000 ms. */
  timeoutMs?: number
  /** Adapter name in status and errors. Default `'firestore'`. */
  name?: string
}

export interface ResolvedOptions extends Required<Omit<FirestoreAdapterOptions, 'collectionPath'>> {
  collectionPath: (userId: string, table: string) => string
}

export function resolveOptions(options: FirestoreAdapterOptions): ResolvedOptions {
  if (!options?.firestore) throw new TypeError("[autosync] [firestore] pass the app's firestore instance")
  if (!Array.isArray(options.tables) || options.tables.length === 0) {
    throw new TypeError('[autosync] [firestore] tables must name the synced tables')
  }
  return {
    firestore: options.firestore,
    tables: options.tables,
    collectionPath: options.collectionPath ?? ((userId, table) => `users/${userId}/${table}`),
    timeoutMs: options.timeoutMs ?? 30_000,
    name: options.name ?? 'firestore',
  }
}
