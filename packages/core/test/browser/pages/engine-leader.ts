import { AdapterError, createAutoSync, openStorage, type SyncAdapter, silentLogger } from '@autosync/core'

// An adapter that POSTs each batch to the test server, which counts overlapping pushes.
const adapter: SyncAdapter = {
  name: 'counting',
  specificationVersion: 'v1',
  capabilities: { maxBatchSize: 10, partialUpdates: false, pull: false, backup: false },
  async push(batch, context) {
    const response = await fetch('/push', {
      method: 'POST',
      body: JSON.stringify({
        batchId: batch.batchId,
        ids: batch.changes.map((change) => change.changeId),
        keys: batch.changes.map((change) => String(change.key)),
      }),
      signal: context.signal,
    })
    if (!response.ok) throw new AdapterError(`HTTP ${response.status}`, { kind: 'server', retryable: true })
    return { accepted: batch.changes.map((change) => change.changeId) }
  },
}

const storage = await openStorage({
  name: 'engine-leader',
  version: 1,
  tables: { notes: { keyPath: 'id' } },
  userIdField: 'userId',
})
const autoSync = createAutoSync({
  storage,
  adapter,
  userId: 'u1',
  bufferMs: 50,
  maxBufferMs: 200,
  minIntervalMs: 100,
  periodicSyncMs: 0,
  logger: silentLogger,
})
await autoSync.start()
const tab = Math.random().toString(36).slice(2, 8)
;(window as unknown as { app: unknown }).app = {
  status: () => autoSync.getStatus(),
  write: async (count: number) => {
    for (let index = 0; index < count; index++) await storage.put('notes', { id: `${tab}-${index}`, userId: 'u1' })
  },
  ids: (count: number) => Array.from({ length: count }, (_, index) => `${tab}-${index}`),
  syncNow: () => autoSync.syncNow(),
  heldLocks: async () => ((await navigator.locks.query()).held ?? []).map((lock) => lock.name),
}
;(window as unknown as { ready: boolean }).ready = true
