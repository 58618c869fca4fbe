// End-to-end push throughput: core's outbox → restAdapter → HTTP server, as a ratio to the raw HTTP
// ceiling (a bare node:http server that only reads the body) measured in the same run.
import 'fake-indexeddb/auto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Change, createAutoSync, openStorage, type PushBatch, silentLogger } from '@autosync/core'
import {
  createPostgresStore,
  createSqliteStore,
  createSyncServer,
  createTokenSigner,
  type SyncStore,
  silentLogger as silentServerLogger,
} from '@autosync/server'
import { restAdapter } from '../src/index'

const totalChanges = Number(process.env.AUTOSYNC_BENCH_CHANGES ?? 20_000)
const batchSize = 500
const rounds = 3

interface Note extends Record<string, unknown> {
  id: string
  userId: string
  text: string
  updatedAt: number
}

function makeNotes(count: number, run: number): Note[] {
  // ~200 bytes per record, so a batch of 500 is a ~100 KB body.
  return Array.from({ length: count }, (_, index) => ({
    id: `note-${run}-${index}`,
    userId: 'bench',
    text: `Benchmark note ${index} `.padEnd(150, 'x'),
    updatedAt: 1_700_000_000_000 + index,
  }))
}

/** The same records as ready push batches, as core would hand them to an adapter. */
function makeBatches(clientId: string, run: number): PushBatch[] {
  const notes = makeNotes(totalChanges, run)
  const batches: PushBatch[] = []
  for (let start = 0; start < notes.length; start += batchSize) {
    const changes: Change[] = notes.slice(start, start + batchSize).map((value, index) => ({
      changeId: `${clientId}:${start + index + 1}`,
      table: 'notes',
      key: value.id,
      op: 'put',
      value,
      seq: start + index + 1,
      timestamp: value.updatedAt,
    }))
    batches.push({ batchId: `${clientId}-${start}`, clientId, userId: 'bench', changes })
  }
  return batches
}

const tokenSigner = createTokenSigner('autosync-bench-secret-0123456789')
const benchToken = () => tokenSigner.sign('bench', { expiresInSeconds: 600 })

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const server = createServer(handler)
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The ceiling: the same bodies sent with fetch to a server that only reads them. */
async function measureCeiling(): Promise<number> {
  const server = await listen(async (request, response) => {
    await readBody(request)
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  const bodies = makeBatches('client', 0).map((batch) => JSON.stringify(batch))
  const started = performance.now()
  for (const body of bodies) {
    const response = await fetch(`${server.url}push`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    })
    await response.arrayBuffer()
  }
  const seconds = (performance.now() - started) / 1000
  await server.close()
  return totalChanges / seconds
}

/** A server that acknowledges every change without storing anything. */
async function noOpServer() {
  return listen(async (request, response) => {
    const body = JSON.parse((await readBody(request)).toString()) as { changes: { changeId: string }[] }
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ accepted: body.changes.map((change) => change.changeId), rejected: [] }))
  })
}

async function syncServer(store: SyncStore) {
  const server = createSyncServer({
    store,
    logger: silentServerLogger,
    verifier: tokenSigner.verify,
  })
  const address = await server.listen(0, '127.0.0.1')
  return { url: `${address.url}/`, close: () => server.close() }
}

/** Time to drain `totalChanges` pending changes from core's outbox through restAdapter. */
async function measureThroughCore(baseUrl: string, run: number): Promise<number> {
  const storage = await openStorage({
    name: `bench-${run}-${Math.random()}`,
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    userIdField: 'userId',
  })
  await storage.bulkPut('notes', makeNotes(totalChanges, run))
  const token = benchToken()
  const autoSync = createAutoSync({
    storage,
    adapter: restAdapter({ baseUrl, getToken: () => token, maxBatchSize: batchSize }),
    userId: 'bench',
    batchSize,
    periodicSyncMs: 0,
    logger: silentLogger,
  })
  await autoSync.start()
  const started = performance.now()
  await autoSync.syncNow()
  const seconds = (performance.now() - started) / 1000
  const left = await storage.outbox.count({ userId: 'bench' })
  await autoSync.stop()
  storage.close()
  if (left !== 0) throw new Error(`bench: ${left} changes still pending after syncNow`)
  return totalChanges / seconds
}

/** The transport alone: the same changes as ready batches straight into `restAdapter.push`, no IndexedDB. */
async function measureAdapterOnly(baseUrl: string, run: number): Promise<number> {
  const token = benchToken()
  const adapter = restAdapter({ baseUrl, getToken: () => token, maxBatchSize: batchSize })
  const batches = makeBatches(`adapter-${run}`, run)
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
  return totalChanges / ((performance.now() - started) / 1000)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

const format = (value: number) => `${Math.round(value).toLocaleString('en-US')} changes/s`
let run = 0
const results: { name: string; rate: number }[] = []
const ceilingRates: number[] = []
for (let index = 0; index < rounds; index++) ceilingRates.push(await measureCeiling())
const ceiling = median(ceilingRates)

async function lane(name: string, open: () => Promise<{ url: string; close(): Promise<void> }>) {
  const throughCore: number[] = []
  const adapterOnly: number[] = []
  for (let index = 0; index < rounds; index++) {
    const server = await open()
    try {
      throughCore.push(await measureThroughCore(server.url, ++run))
      adapterOnly.push(await measureAdapterOnly(server.url, ++run))
    } finally {
      await server.close()
    }
  }
  results.push({ name: `core → restAdapter → ${name}`, rate: median(throughCore) })
  results.push({ name: `restAdapter.push → ${name} (no IndexedDB)`, rate: median(adapterOnly) })
}

await lane('no-op server', noOpServer)
await lane('@autosync/server on SQLite', () => syncServer(createSqliteStore({ filename: ':memory:' })))
const postgresUrl = process.env.AUTOSYNC_POSTGRES_URL
if (postgresUrl) {
  await lane('@autosync/server on PostgreSQL', async () => {
    const store = await createPostgresStore({ connectionString: postgresUrl, schema: `bench_${Date.now()}_${run}` })
    const server = await syncServer(store)
    return { url: server.url, close: async () => (await server.close(), await store.close()) }
  })
} else {
  console.warn('AUTOSYNC_POSTGRES_URL is not set: skipping the PostgreSQL lane (eval "$(scripts/start-postgres.sh)")')
}

console.log(
  `\nPush throughput, ${totalChanges.toLocaleString('en-US')} changes in batches of ${batchSize}, median of ${rounds} (Node, fake-indexeddb)`,
)
console.log(`  raw HTTP ceiling (bare node:http, body read only): ${format(ceiling)}`)
for (const result of results) {
  console.log(`  ${result.name}: ${format(result.rate)} = ${(result.rate / ceiling).toFixed(2)}× ceiling`)
}
console.log('  targets: no-op server ≥ 0.30× ceiling; PostgreSQL ≥ 20,000 changes/s')
