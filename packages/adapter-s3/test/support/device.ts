import 'fake-indexeddb/auto'
import { createAutoSync, openStorage, type SyncAdapter, type SyncPlugin } from '@autosync/core'
import { createFakeClock } from '@autosync/core/testing'
import { twoWay } from '@autosync/core/two-way'
import { IDBFactory } from 'fake-indexeddb'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }

/** A device in Node: its own IndexedDB, core with the two-way plugin, on the given adapter; timers never fire by themselves. */
export async function openDevice(adapter: SyncAdapter, userId: string, plugins: SyncPlugin[] = [twoWay()]) {
  const clock = createFakeClock({ start: Date.now() })
  const storage = await openStorage({
    name: 'app',
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    userIdField: 'userId',
    indexedDB: new IDBFactory(),
    clock,
    broadcast: false,
    activeUserId: userId,
    logger: quiet,
  })
  const autoSync = createAutoSync({
    storage,
    adapter,
    userId,
    clock,
    logger: quiet,
    periodicSyncMs: 0,
    plugins,
  })
  await autoSync.start()
  return {
    storage,
    autoSync,
    notes: async () => Object.fromEntries((await storage.getAll('notes')).map((note) => [note.id as string, note])),
    close: async () => {
      await autoSync.stop()
      storage.close()
    },
  }
}
