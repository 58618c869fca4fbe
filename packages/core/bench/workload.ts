import { openDB } from 'idb'
import { openStorage } from '../src/storage'
import { openRawDatabase, transactionDone } from './raw-indexeddb'

/** Ratios of storage over raw idb, plus the medians they come from (milliseconds). */
export interface WorkloadResult {
  bulk: { rawMs: number; storageMs: number; ratio: number; records: number }
  single: { rawMs: number; storageMs: number; ratio: number; writes: number }
  /**
   * Raw IndexedDB (no library) doing what a captured single put must do, as ratios to the idb baseline: the record
   * and an outbox entry in one transaction, then the same with the read that tells a create from an update awaited
   * before the entry is written (the entry records which one it is).
   */
  floors: { outbox: number; readThenOutbox: number }
}

export interface WorkloadOptions {
  factory: IDBFactory
  now: () => number
  bulkRecords?: number
  singleWrites?: number
  rounds?: number
}

let databaseCounter = 0
const tables = { notes: { keyPath: 'id', indexes: { byUser: 'userId' } } }

function makeRecords(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    id: `note-${String(index).padStart(6, '0')}`,
    userId: 'u1',
    title: `Note ${index}`,
    body: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.',
    updatedAt: 1_700_000_000_000 + index,
    tags: ['a', 'b'],
  }))
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function rawDatabase(factory: IDBFactory) {
  const name = `bench-raw-${Date.now()}-${++databaseCounter}`
  // idb's openDB uses the global factory; the bench runs where it is the one measured.
  void factory
  return openDB(name, 1, {
    upgrade(database) {
      database.createObjectStore('notes', { keyPath: 'id' }).createIndex('byUser', 'userId')
    },
  })
}

function storageDatabase(factory: IDBFactory) {
  return openStorage({
    name: `bench-storage-${Date.now()}-${++databaseCounter}`,
    version: 1,
    tables,
    userIdField: 'userId',
    indexedDB: factory,
    broadcast: false,
  })
}

async function timeRawBulk(options: WorkloadOptions, records: Record<string, unknown>[]): Promise<number> {
  const raw = await rawDatabase(options.factory)
  const start = options.now()
  const transaction = raw.transaction('notes', 'readwrite')
  for (const record of records) transaction.store.put(record)
  await transaction.done
  const elapsed = options.now() - start
  raw.close()
  return elapsed
}

async function timeRawSingle(options: WorkloadOptions, records: Record<string, unknown>[]): Promise<number> {
  const raw = await rawDatabase(options.factory)
  const start = options.now()
  for (const record of records) {
    const transaction = raw.transaction('notes', 'readwrite')
    transaction.store.put(record)
    await transaction.done
  }
  const elapsed = options.now() - start
  raw.close()
  return elapsed
}

/** Single puts with an outbox entry in the same transaction, in raw IndexedDB; `readFirst` awaits a get before it. */
async function timeRawCapture(
  options: WorkloadOptions,
  records: Record<string, unknown>[],
  readFirst: boolean,
): Promise<number> {
  const database = await openRawDatabase(options.factory, 'bench-floor', (created) => {
    created.createObjectStore('notes', { keyPath: 'id' }).createIndex('byUser', 'userId')
    created.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true })
  })
  const start = options.now()
  for (const record of records) {
    const transaction = database.transaction(['notes', 'outbox'], 'readwrite')
    const notes = transaction.objectStore('notes')
    const read = notes.get(record.id as string)
    notes.put(record)
    // Without the read, the entry cannot say whether the put created the record.
    if (readFirst) await new Promise((resolve) => (read.onsuccess = resolve))
    const created = readFirst && read.result === undefined
    const change = { table: 'notes', key: record.id, op: 'put', created, userId: 'u1' }
    transaction.objectStore('outbox').add({ timestamp: 0, changes: [{ ...change, json: JSON.stringify(record) }] })
    transaction.commit?.()
    await transactionDone(transaction)
  }
  const elapsed = options.now() - start
  database.close()
  return elapsed
}

async function timeStorageBulk(options: WorkloadOptions, records: Record<string, unknown>[]): Promise<number> {
  const storage = await storageDatabase(options.factory)
  const start = options.now()
  await storage.bulkPut('notes', records)
  const elapsed = options.now() - start
  storage.close()
  return elapsed
}

async function timeStorageSingle(options: WorkloadOptions, records: Record<string, unknown>[]): Promise<number> {
  const storage = await storageDatabase(options.factory)
  const start = options.now()
  for (const record of records) await storage.put('notes', record)
  const elapsed = options.now() - start
  storage.close()
  return elapsed
}

/**
 * Runs raw and storage back to back on fresh databases, alternating which goes first, and reports
 * the median of the paired per-round ratios (robust against a machine busy with other work).
 */
export async function runWorkloads(options: WorkloadOptions): Promise<WorkloadResult> {
  const bulkRecords = options.bulkRecords ?? 10_000
  const singleWrites = options.singleWrites ?? 1_000
  const rounds = options.rounds ?? 5
  const bulk = makeRecords(bulkRecords)
  const single = makeRecords(singleWrites)
  const pairs = {
    bulkRaw: [] as number[],
    bulkStorage: [] as number[],
    singleRaw: [] as number[],
    singleStorage: [] as number[],
  }
  const ratios = {
    bulk: [] as number[],
    single: [] as number[],
    outbox: [] as number[],
    readThenOutbox: [] as number[],
  }
  // One warm-up round of each so JIT and database creation costs do not land on the first measurement.
  await timeRawSingle(options, single.slice(0, 50))
  await timeStorageSingle(options, single.slice(0, 50))
  for (let round = 0; round < rounds; round++) {
    const rawFirst = round % 2 === 0
    const bulkRaw = rawFirst ? await timeRawBulk(options, bulk) : 0
    const bulkStorage = await timeStorageBulk(options, bulk)
    const bulkRawAfter = rawFirst ? bulkRaw : await timeRawBulk(options, bulk)
    const singleRaw = rawFirst ? await timeRawSingle(options, single) : 0
    const singleStorage = await timeStorageSingle(options, single)
    const singleRawAfter = rawFirst ? singleRaw : await timeRawSingle(options, single)
    pairs.bulkRaw.push(bulkRawAfter)
    pairs.bulkStorage.push(bulkStorage)
    pairs.singleRaw.push(singleRawAfter)
    pairs.singleStorage.push(singleStorage)
    ratios.bulk.push(bulkStorage / bulkRawAfter)
    ratios.single.push(singleStorage / singleRawAfter)
    ratios.outbox.push((await timeRawCapture(options, single, false)) / singleRawAfter)
    ratios.readThenOutbox.push((await timeRawCapture(options, single, true)) / singleRawAfter)
  }
  return {
    bulk: {
      rawMs: median(pairs.bulkRaw),
      storageMs: median(pairs.bulkStorage),
      ratio: median(ratios.bulk),
      records: bulkRecords,
    },
    single: {
      rawMs: median(pairs.singleRaw),
      storageMs: median(pairs.singleStorage),
      ratio: median(ratios.single),
      writes: singleWrites,
    },
    floors: { outbox: median(ratios.outbox), readThenOutbox: median(ratios.readThenOutbox) },
  }
}
