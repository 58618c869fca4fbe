// Applying pulled pages (two-way sync) against a raw `idb` bulk put of the same records in pages of the same size.
import { openDB } from 'idb'
import { openStorage } from '../src/storage'
import { createAutoSync } from '../src/sync'
import { twoWay } from '../src/two-way'
import type { PullResponse, RemoteChange, SyncAdapter } from '../src/types'
import { openRawDatabase, transactionDone } from './raw-indexeddb'

export interface PullApplyOptions {
  factory: IDBFactory
  now: () => number
  changes: number
  pageSize: number
}

export interface PullApplyResult {
  changes: number
  pageSize: number
  rawMs: number
  /** Raw IndexedDB writing each record and its revision: the floor of any apply that stores revisions per record. */
  rawWithRevisionsMs: number
  pullMs: number
  /** Pull speed as a fraction of the raw put speed (rawMs / pullMs): 1 is parity. */
  ratio: number
}

let counter = 0

function record(index: number) {
  return {
    id: `note-${String(index).padStart(6, '0')}`,
    userId: 'u1',
    title: `Note ${index}`,
    body: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.',
    updatedAt: 1_700_000_000_000 + index,
  }
}

/** The backend's pages, built before timing so only the device's work is measured. */
function pages(changes: number, pageSize: number): PullResponse[] {
  const result: PullResponse[] = []
  for (let start = 0; start < changes; start += pageSize) {
    const page: RemoteChange[] = []
    for (let index = start; index < Math.min(changes, start + pageSize); index++) {
      const value = record(index)
      page.push({
        table: 'notes',
        key: value.id,
        op: 'put',
        value,
        revision: String(index + 1),
        changeId: `other:${index}`,
        timestamp: index,
      })
    }
    result.push({ changes: page, cursor: String(start + page.length), hasMore: start + page.length < changes })
  }
  return result
}

async function timeRaw(options: PullApplyOptions, served: PullResponse[]): Promise<number> {
  void options.factory
  const database = await openDB(`bench-pull-raw-${Date.now()}-${++counter}`, 1, {
    upgrade: (created) => void created.createObjectStore('notes', { keyPath: 'id' }),
  })
  const started = options.now()
  for (const page of served) {
    const transaction = database.transaction('notes', 'readwrite')
    for (const change of page.changes) void transaction.store.put(change.value)
    await transaction.done
  }
  const elapsed = options.now() - started
  database.close()
  return elapsed
}

/**
 * The least any apply can do: in raw IndexedDB requests (no promise each, as core writes), per page one
 * transaction with each record and its revision (DESIGN: metadata beside the record, not inside it).
 */
async function timeFloor(options: PullApplyOptions, served: PullResponse[]): Promise<number> {
  const database = await openRawDatabase(options.factory, 'bench-pull-floor', (created) => {
    created.createObjectStore('notes', { keyPath: 'id' })
    created.createObjectStore('meta')
  })
  const started = options.now()
  for (const page of served) {
    const transaction = database.transaction(['notes', 'meta'], 'readwrite')
    const notes = transaction.objectStore('notes')
    const meta = transaction.objectStore('meta')
    for (const change of page.changes) {
      notes.put(change.value)
      meta.put(change.revision, `rev\u0000notes\u0000string\u0000${change.key}`)
    }
    await transactionDone(transaction)
  }
  const elapsed = options.now() - started
  database.close()
  return elapsed
}

async function timePull(options: PullApplyOptions, served: PullResponse[]): Promise<number> {
  const storage = await openStorage({
    name: `bench-pull-${Date.now()}-${++counter}`,
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    userIdField: 'userId',
    indexedDB: options.factory,
    broadcast: false,
  })
  const byCursor = new Map(served.map((page, index) => [index === 0 ? null : served[index - 1]!.cursor, page]))
  const adapter: SyncAdapter = {
    name: 'bench',
    specificationVersion: 'v1',
    capabilities: { maxBatchSize: 500, partialUpdates: false, pull: true, backup: false, conditionalWrites: true },
    push: async (batch) => ({ accepted: batch.changes.map((change) => change.changeId) }),
    pull: async ({ cursor }) => byCursor.get(cursor) ?? { changes: [], cursor, hasMore: false },
  }
  const autoSync = createAutoSync({
    storage,
    adapter,
    userId: 'u1',
    periodicSyncMs: 0,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    plugins: [twoWay({ pageSize: options.pageSize })],
  })
  const started = options.now()
  const { applied } = await autoSync.pull()
  const elapsed = options.now() - started
  if (applied !== options.changes) throw new Error(`bench: applied ${applied} of ${options.changes}`)
  await autoSync.stop()
  storage.close()
  return elapsed
}

export async function runPullApply(options: PullApplyOptions): Promise<PullApplyResult> {
  const served = pages(options.changes, options.pageSize)
  const rawMs = await timeRaw(options, served)
  const rawWithRevisionsMs = await timeFloor(options, served)
  const pullMs = await timePull(options, served)
  return {
    changes: options.changes,
    pageSize: options.pageSize,
    rawMs,
    rawWithRevisionsMs,
    pullMs,
    ratio: rawMs / pullMs,
  }
}
