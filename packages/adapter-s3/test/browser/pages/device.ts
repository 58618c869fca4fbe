// A device in a real Chromium page: core + s3Adapter in presigned mode (the page never holds a secret).
import { type AutoSync, createAutoSync, openStorage, type Storage } from '@autosync/core'
import { twoWay } from '@autosync/core/two-way'
import { s3Adapter } from '../../../src'

let storage: Storage
let autoSync: AutoSync

const api = {
  async open(name: string, userId: string, endpoint: string, bucket: string) {
    storage = await openStorage({ name, version: 1, tables: { notes: { keyPath: 'id' } }, userIdField: 'userId' })
    const adapter = s3Adapter({
      bucket,
      endpoint,
      presign: async (request) => {
        const response = await fetch('/presign', {
          method: 'POST',
          headers: { authorization: `Bearer ${userId}` },
          body: JSON.stringify(request),
        })
        if (!response.ok) throw new Error(`presign refused ${response.status}`)
        return response.json()
      },
    })
    autoSync = createAutoSync({
      storage,
      adapter,
      userId,
      periodicSyncMs: 0,
      bufferMs: 60_000,
      maxBufferMs: 60_000,
      plugins: [twoWay()],
    })
    await autoSync.start()
    // The start's own sync must end first: a write landing during it would be pushed by it, before a test arms a fault.
    await autoSync.syncNow()
  },
  async write(count: number, prefix: string, userId: string) {
    for (let index = 0; index < count; index++)
      await storage.put('notes', { id: `${prefix}${index}`, userId, text: prefix })
  },
  /** Many records in few transactions (the benchmark's backlog). */
  async bulkWrite(count: number, prefix: string, userId: string) {
    for (let start = 0; start < count; start += 1_000) {
      const records = []
      for (let index = start; index < Math.min(count, start + 1_000); index++)
        records.push({ id: `${prefix}${index}`, userId, text: prefix })
      await storage.bulkPut('notes', records)
    }
  },
  syncNow: () =>
    autoSync.syncNow().then(
      () => 'ok',
      (error: Error) => `failed: ${error.message}`,
    ),
  pull: () => autoSync.pull().then(() => 'ok'),
  pending: () => autoSync.getStatus().pendingChanges,
  lastError: () => JSON.stringify(autoSync.getStatus().lastError ?? null),
  notes: async () => (await storage.getAll('notes')).map((note) => note.id).sort(),
}

Object.assign(window, { api, ready: true })
