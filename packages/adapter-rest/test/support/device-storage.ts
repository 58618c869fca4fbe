import 'fake-indexeddb/auto'
import { openStorage } from '@autosync/core'
import { createFakeClock } from '@autosync/core/testing'
import { IDBFactory } from 'fake-indexeddb'

export const quiet = { debug() {}, info() {}, warn() {}, error() {} }

/** A device's storage in Node: its own IndexedDB with a `notes` table, on a fake clock starting at `start`. */
export async function openDeviceStorage(name: string, userId: string, start = Date.now()) {
  const clock = createFakeClock({ start })
  const storage = await openStorage({
    name,
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    userIdField: 'userId',
    indexedDB: new IDBFactory(),
    clock,
    broadcast: false,
    activeUserId: userId,
    logger: quiet,
  })
  return { storage, clock }
}
