/**
 * Push throughput through HTTP (plain fetch, batches of 500) into the server on SQLite and on PostgreSQL,
 * as a ratio to a bare node:http server that only reads the body, all measured in this run.
 * Postgres comes from AUTOSYNC_POSTGRES_URL (skipped with a warning when unset, unless CI is set).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { createTokenSigner } from '../src/auth/token-signer'
import { silentLogger } from '../src/logger'
import { createSyncServer } from '../src/server'
import { createPostgresStore } from '../src/store/postgres-store'
import { createSqliteStore } from '../src/store/sqlite-store'
import type { SyncStore } from '../src/store/sync-store'

const batchSize = 500
const batchesPerRun = Number(process.env.BENCH_BATCHES ?? 120)
const concurrentClients = 8
const signer = createTokenSigner('bench-secret-0123456789abcdef')

interface PreparedBatch {
  token: string
  batchId: string
  body: string
}

/** Distinct batches, one user per client, records of about 200 bytes. */
function prepareBatches(label: string): PreparedBatch[] {
  const tokens = Array.from({ length: concurrentClients }, (_, client) => signer.sign(`${label}-user-${client}`))
  return Array.from({ length: batchesPerRun }, (_, index) => {
    const clientId = `${label}-client-${index % concurrentClients}`
    const batchId = randomUUID()
    const changes = Array.from({ length: batchSize }, (_, position) => {
      const seq = index * batchSize + position
      return {
        changeId: `${clientId}:${seq}`,
        table: 'notes',
        key: `note-${seq}`,
        op: 'put',
        value: { title: `Note ${seq}`, body: 'x'.repeat(120), done: seq % 2 === 0, updatedAt: 1_700_000_000_000 + seq },
        seq,
        timestamp: 1_700_000_000_000 + seq,
      }
    })
    return { token: tokens[index % concurrentClients]!, batchId, body: JSON.stringify({ batchId, clientId, changes }) }
  })
}

/** Sends every batch with `concurrentClients` requests in flight; returns changes per second. */
async function measure(url: string, batches: PreparedBatch[]): Promise<number> {
  let next = 0
  const started = performance.now()
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!
      const response = await fetch(`${url}/push`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${batch.token}`,
          'content-type': 'application/json',
          'idempotency-key': batch.batchId,
        },
        body: batch.body,
      })
      const text = await response.text()
      if (response.status !== 200) throw new Error(`push answered ${response.status}: ${text.slice(0, 200)}`)
    }
  }
  await Promise.all(Array.from({ length: concurrentClients }, worker))
  return (batches.length * batchSize) / ((performance.now() - started) / 1000)
}

async function ceiling(): Promise<number> {
  const server = createServer((request, response) => {
    request.on('data', () => {})
    request.on('end', () => {
      response.setHeader('content-type', 'application/json')
      response.end('{"accepted":[],"rejected":[]}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    await measure(url, prepareBatches('warmup-ceiling').slice(0, 10))
    return await measure(url, prepareBatches('ceiling'))
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

async function throughSyncServer(store: SyncStore, label: string): Promise<number> {
  const server = createSyncServer({ store, verifier: signer.verify, logger: silentLogger })
  const { url } = await server.listen(0, '127.0.0.1')
  try {
    await measure(url, prepareBatches(`warmup-${label}`).slice(0, 10))
    return await measure(url, prepareBatches(label))
  } finally {
    await server.close()
  }
}

function format(rate: number): string {
  return `${Math.round(rate).toLocaleString('en-US')} changes/s`
}

async function main(): Promise<void> {
  const results: { name: string; rate: number }[] = []
  const raw = await ceiling()
  results.push({ name: 'raw node:http ceiling', rate: raw })
  const sqlite = createSqliteStore()
  results.push({ name: 'server + SQLite (:memory:)', rate: await throughSyncServer(sqlite, 'sqlite') })
  await sqlite.close()
  const postgresUrl = process.env.AUTOSYNC_POSTGRES_URL
  if (postgresUrl) {
    const schema = `autosync_bench_${randomBytes(4).toString('hex')}`
    const postgres = await createPostgresStore({
      connectionString: postgresUrl,
      schema,
      maxConnections: concurrentClients,
    })
    try {
      results.push({ name: 'server + PostgreSQL', rate: await throughSyncServer(postgres, 'postgres') })
    } finally {
      await postgres.close()
      const client = new pg.Client({ connectionString: postgresUrl })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await client.end()
    }
  } else if (process.env.CI) {
    throw new Error('[autosync] [server] bench: CI is set but AUTOSYNC_POSTGRES_URL is not')
  } else {
    console.warn('[autosync] [server] bench: AUTOSYNC_POSTGRES_URL is unset, skipping PostgreSQL')
  }
  console.log(
    `push throughput, batches of ${batchSize}, ${batchesPerRun} batches, ${concurrentClients} clients in flight`,
  )
  for (const { name, rate } of results) {
    console.log(`  ${name.padEnd(28)} ${format(rate).padStart(20)}   ${(rate / raw).toFixed(2)}x ceiling`)
  }
  const postgresRate = results.find((result) => result.name.includes('PostgreSQL'))?.rate
  if (postgresRate !== undefined) {
    const meets = postgresRate >= 20_000 && postgresRate / raw >= 0.3
    console.log(`  targets (Postgres >= 20,000 changes/s and >= 0.30x ceiling): ${meets ? 'met' : 'NOT met'}`)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
