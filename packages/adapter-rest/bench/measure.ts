// The timed parts of the bench. Browser-safe: Node runs them over fake-indexeddb, the Chromium page over IndexedDB.
import { createAutoSync, openStorage, type SyncAdapter, silentLogger } from '@autosync/core'
import { restAdapter } from '../src/index'
import { batchSize, makeBatches, makeNotes } from './workload'

export interface PushRun {
  /** Where the server is mounted, ending in `/`. */
  baseUrl: string
  token: string
  /** Makes record keys and the database name unique. */
  run: number
  changes: number
}

export interface CoreMeasurement {
  rate: number
  /** Share of `syncNow()` spent inside `restAdapter.push` (HTTP and JSON); the rest is core and IndexedDB. */
  adapterShare: number
}

/** The ceiling: `changes` as prebuilt bodies sent with fetch, one after another, to `pushUrl`. */
export async function measureCeiling(pushUrl: string, changes: number): Promise<number> {
  const bodies = makeBatches(changes, 'client', 0).map((batch) => JSON.stringify(batch))
  const started = performance.now()
  for (const body of bodies) {
    const response = await fetch(pushUrl, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    await response.arrayBuffer()
  }
  return changes / ((performance.now() - started) / 1000)
}

/** Time to drain `changes` pending changes from core's outbox through restAdapter. */
export async function measureThroughCore({ baseUrl, token, run, changes }: PushRun): Promise<CoreMeasurement> {
  const storage = await openStorage({
    name: `bench-${run}-${Math.random()}`,
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    userIdField: 'userId',
  })
  await storage.bulkPut('notes', makeNotes(changes, run))
  const adapter = timed(restAdapter({ baseUrl, getToken: () => token, maxBatchSize: batchSize }))
  const autoSync = createAutoSync({
    storage,
    adapter,
    userId: 'bench',
    batchSize,
    periodicSyncMs: 0,
    logger: silentLogger,
  })
  await autoSync.start()
  adapter.milliseconds = 0
  const started = performance.now()
  await autoSync.syncNow()
  const elapsed = performance.now() - started
  const left = await storage.outbox.count({ userId: 'bench' })
  await autoSync.stop()
  storage.close()
  if (left !== 0) throw new Error(`bench: ${left} changes still pending after syncNow`)
  return { rate: changes / (elapsed / 1000), adapterShare: adapter.milliseconds / elapsed }
}

/** The transport alone: the same changes as ready batches straight into `restAdapter.push`, no IndexedDB. */
export async function measureAdapterOnly({ baseUrl, token, run, changes }: PushRun): Promise<number> {
  const adapter = restAdapter({ baseUrl, getToken: () => token, maxBatchSize: batchSize })
  const batches = makeBatches(changes, `adapter-${run}`, run)
  const context = {
    signal: new AbortController().signal,
    userId: 'bench',
    clientId: `adapter-${run}`,
    logger: silentLogger,
  }
  const started = performance.now()
  for (const batch of batches) {
    const result = await adapter.push(batch, context)
    if (result.accepted.length !== batch.changes.length) throw new Error('bench: a batch was not fully accepted')
  }
  return changes / ((performance.now() - started) / 1000)
}

/** The adapter with a stopwatch around `push`, to split a drain into transport and core time. */
function timed(adapter: SyncAdapter): SyncAdapter & { milliseconds: number } {
  const stopwatch = {
    ...adapter,
    milliseconds: 0,
    async push(...parameters: Parameters<SyncAdapter['push']>) {
      const started = performance.now()
      try {
        return await adapter.push(...parameters)
      } finally {
        stopwatch.milliseconds += performance.now() - started
      }
    },
  }
  return stopwatch
}
