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
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const signer = createTokenSigner('bench-secret-0123456789abcdef-0123456789')

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

interface Target {
  name: string
  url: string
  close(): Promise<void>
}

async function startCeiling(): Promise<Target> {
  const server = createServer((request, response) => {
    request.on('data', () => {})
    request.on('end', () => {
      response.setHeader('content-type', 'application/json')
      response.end('{"accepted":[],"rejected":[]}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    name: 'raw node:http ceiling',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

async function startSyncServer(name: string, store: SyncStore, cleanup: () => Promise<void>): Promise<Target> {
  const server = createSyncServer({ store, verifier: signer.verify, logger: silentLogger })
  const { url } = await server.listen(0, '127.0.0.1')
  return {
    name,
    url,
    async close() {
      await server.close()
      await store.close()
      await cleanup()
    },
  }
}

async function startPostgres(url: string): Promise<Target> {
  const schema = `autosync_bench_${randomBytes(4).toString('hex')}`
  const store = await createPostgresStore({ connectionString: url, schema, maxConnections: concurrentClients })
  return startSyncServer('server + PostgreSQL', store, async () => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
  })
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function format(rate: number): string {
  return `${Math.round(rate).toLocaleString('en-US')} changes/s`
}

async function main(): Promise<void> {
  const targets: Target[] = [
    await startCeiling(),
    await startSyncServer('server + SQLite (:memory:)', createSqliteStore(), async () => {}),
  ]
  const postgresUrl = process.env.AUTOSYNC_POSTGRES_URL
  if (postgresUrl) targets.push(await startPostgres(postgresUrl))
  else if (process.env.CI) throw new Error('[autosync] [server] bench: CI is set but AUTOSYNC_POSTGRES_URL is not')
  else console.warn('[autosync] [server] bench: AUTOSYNC_POSTGRES_URL is unset, skipping PostgreSQL')
  const rates = new Map<string, number[]>(targets.map((target) => [target.name, []]))
  try {
    for (const target of targets) await measure(target.url, prepareBatches(`warmup-${target.name}`).slice(0, 10))
    // Rounds interleave the targets so a noisy neighbour on the machine hits all of them alike.
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        rates.get(target.name)!.push(await measure(target.url, prepareBatches(`${target.name}-${round}`)))
      }
    }
  } finally {
    for (const target of targets) await target.close()
  }
  const ceiling = median(rates.get(targets[0]!.name)!)
  console.log(
    `push throughput over HTTP (fetch), batches of ${batchSize}, ${batchesPerRun} batches x ${rounds} rounds (median), ` +
      `${concurrentClients} clients in flight`,
  )
  for (const [name, values] of rates) {
    const rate = median(values)
    console.log(`  ${name.padEnd(28)} ${format(rate).padStart(20)}   ${(rate / ceiling).toFixed(2)}x ceiling`)
  }
  const postgresRates = rates.get('server + PostgreSQL')
  if (postgresRates) {
    const rate = median(postgresRates)
    console.log(`  target: >= 20,000 changes/s into PostgreSQL: ${rate >= 20_000 ? 'met' : 'NOT met'}`)
  }
  for (const [name, values] of rates) {
    if (name === targets[0]!.name) continue
    const ratio = median(values) / ceiling
    console.log(`  target: >= 0.30x ceiling, ${name}: ${ratio >= 0.3 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
