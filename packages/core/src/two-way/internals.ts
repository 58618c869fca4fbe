import type { WriteContext } from '../storage/prepare'
import type { StorageEvent } from '../types'

/** What `openStorage` shares with the two-way entry (see `storageInternals`). */
export interface StorageInternals {
  database(): Promise<IDBDatabase>
  context: WriteContext
  announce(events: StorageEvent[], seq?: number, userIds?: (string | null)[]): void
}
