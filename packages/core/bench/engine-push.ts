// Engine push throughput in Node: N pending changes pushed to a no-op adapter, against reading the same outbox raw.
import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { openStorage } from '../src/storage'
import { createAutoSync, silentLogger } from '../src/sync'
import type { PendingChange, Storage, SyncAdapter } from '../src/types'

const noopAdapter: SyncAdapter = {
  name: 'noop',
  specificationVersion: 'v1',
  capabilities: { maxBatchSize: 500, partialUpdates: true, pull: false, backup: false },
  push: async (batch) => ({ accepted: batch.changes.map((change) => change.changeId) }),
}

const heapMb = () => process.memoryUsage().heapUsed / 1_048_576
const collect = () => (globalThis as { gc?: () => void }).gc?.()

async function filledStorage(count: number): Promise<Storage> {
  const storage = await openStorage({
    name: `bench-${count}`,
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    userIdField: 'userId',
    indexedDB: new IDBFactory(),
    broadcast: false,
    logger: silentLogger,
  })
  for (let start = 0; start < count; start += 5_000) {
    const values = Array.from({ length: Math.min(5_000, count - start) }, (_, offset) => ({
      id: `note-${start + offset}`,
      userId: 'u1',
      title: `Note ${start + offset}`,
      body: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit.',
    }))
    await storage.bulkPut('notes', values)
  }
  return storage
}

async function readRaw(storage: Storage): Promise<number> {
  let afterSeq = 0
  let read = 0
  for (;;) {
    const batch: PendingChange[] = await storage.outbox.read({ userId: 'u1', afterSeq, limit: 500 })
    if (batch.length === 0) return read
    read += batch.length
    for (const change of batch) afterSeq = Math.max(afterSeq, change.firstSeq)
  }
}

export interface EngineRun {
  changes: number
  rawMs: number
  engineMs: number
  heapGrowthMb: number
}

/** One drain of `count` pending changes; with `sampleHeap` the live heap is sampled (forced collections, so untimed). */
async function drain(count: number, sampleHeap: boolean): Promise<{ engineMs: number; heapGrowthMb: number }> {
  const storage = await filledStorage(count)
  const autoSync = createAutoSync({
    storage,
    adapter: noopAdapter,
    userId: 'u1',
    logger: silentLogger,
    periodicSyncMs: 0,
  })
  await autoSync.start()
  collect()
  const before = heapMb()
  let peak = before
  let samples = 0
  // Live heap after a collection every 20 batches: what the push keeps, not garbage awaiting the collector.
  if (sampleHeap)
    autoSync.subscribe((status) => {
      if (!status.progress || status.progress.batches % 20 !== 0 || status.progress.batches === samples) return
      samples = status.progress.batches
      collect()
      peak = Math.max(peak, heapMb())
    })
  const started = performance.now()
  await autoSync.syncNow()
  const engineMs = performance.now() - started
  const left = await storage.outbox.count()
  if (left !== 0) throw new Error(`[autosync] [bench] ${left} changes still pending`)
  await autoSync.stop()
  storage.close()
  return { engineMs, heapGrowthMb: peak - before }
}

export async function measure(count: number): Promise<EngineRun> {
  const storage = await filledStorage(count)
  const started = performance.now()
  const read = await readRaw(storage)
  const rawMs = performance.now() - started
  storage.close()
  if (read !== count) throw new Error(`[autosync] [bench] read ${read} of ${count} pending changes`)
  // Timing and heap come from separate drains: the heap samples force full collections.
  const timed = await drain(count, false)
  const sampled = await drain(count, true)
  return { changes: count, rawMs, engineMs: timed.engineMs, heapGrowthMb: sampled.heapGrowthMb }
}

if (!(globalThis as { gc?: unknown }).gc)
  console.warn('[autosync] [bench] run node with --expose-gc for the heap figure')
const small = await measure(10_000)
const large = await measure(100_000)
const rate = (run: EngineRun, ms: number) => Math.round((run.changes / ms) * 1_000)
const ratio = rate(large, large.engineMs) / rate(large, large.rawMs)
const growth = large.engineMs / 10 / small.engineMs
const verdict = (met: boolean) => (met ? 'met' : 'MISSED')
console.log(`engine push, ${large.changes} pending changes to a no-op adapter (Node, fake-indexeddb)`)
console.log(
  `  engine     ${rate(large, large.engineMs).toLocaleString('en')} changes/s (${large.engineMs.toFixed(0)} ms)`,
)
console.log(`  raw read   ${rate(large, large.rawMs).toLocaleString('en')} changes/s (${large.rawMs.toFixed(0)} ms)`)
console.log(`  ratio      ${ratio.toFixed(2)}x of the raw read rate (target >= 0.5x, ${verdict(ratio >= 0.5)})`)
console.log(
  `  heap       +${large.heapGrowthMb.toFixed(1)} MB live while pushing (target < 30 MB, ${verdict(large.heapGrowthMb < 30)})`,
)
console.log(
  `  scaling    10k: ${small.engineMs.toFixed(0)} ms, 100k: ${large.engineMs.toFixed(0)} ms -> ${growth.toFixed(2)}x per change (target within 1.2x, ${verdict(growth <= 1.2 && growth >= 1 / 1.2)})`,
)
