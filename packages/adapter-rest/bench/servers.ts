// The bench's HTTP handlers, one definition each: the Node lanes listen on them, the Chromium lane mounts them.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createPostgresStore,
  createSqliteStore,
  createSyncServer,
  createTokenSigner,
  type SyncStore,
  silentLogger as silentServerLogger,
} from '@autosync/server'
import pg from 'pg'

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void

/** A server behind one handler for one round of a lane; `close` drops whatever it stored. */
export interface OpenBackend {
  handler: RequestHandler
  close(): Promise<void>
}

export interface Backend {
  name: string
  /** Path prefix the Chromium lane mounts it under. */
  prefix: string
  open(): Promise<OpenBackend>
}

const tokenSigner = createTokenSigner('autosync-bench-secret-0123456789')
export const benchToken = () => tokenSigner.sign('bench', { expiresInSeconds: 600 })

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The ceiling's server: reads the body and answers `{}`. */
export const ceilingHandler: RequestHandler = async (request, response) => {
  await readBody(request)
  response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
}

/** Acknowledges every change without storing anything. */
const noOpHandler: RequestHandler = async (request, response) => {
  const body = JSON.parse((await readBody(request)).toString()) as { changes: { changeId: string }[] }
  response.writeHead(200, { 'content-type': 'application/json' })
  response.end(JSON.stringify({ accepted: body.changes.map((change) => change.changeId), rejected: [] }))
}

function syncBackend(store: SyncStore, dropStore: () => Promise<void> = () => store.close()): OpenBackend {
  const server = createSyncServer({ store, logger: silentServerLogger, verifier: tokenSigner.verify })
  return { handler: server.handler, close: dropStore }
}

let schemaCount = 0

async function postgresBackend(connectionString: string): Promise<OpenBackend> {
  const schema = `bench_${Date.now()}_${++schemaCount}`
  const store = await createPostgresStore({ connectionString, schema })
  return syncBackend(store, async () => {
    await store.close()
    // A fresh schema per round keeps rounds independent; dropping it keeps the database from filling up.
    const client = new pg.Client({ connectionString })
    await client.connect()
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    } finally {
      await client.end()
    }
  })
}

/** The no-op server, SQLite, and PostgreSQL when `postgresUrl` is set. */
export function backends(postgresUrl: string | undefined): Backend[] {
  const list: Backend[] = [
    { name: 'no-op server', prefix: 'noop', open: async () => ({ handler: noOpHandler, close: async () => {} }) },
    {
      name: '@autosync/server on SQLite',
      prefix: 'sqlite',
      open: async () => syncBackend(createSqliteStore({ filename: ':memory:' })),
    },
  ]
  if (postgresUrl) {
    list.push({ name: '@autosync/server on PostgreSQL', prefix: 'postgres', open: () => postgresBackend(postgresUrl) })
  }
  return list
}

/** Listens on a free loopback port; `url` ends in `/`. */
export async function listen(handler: RequestHandler) {
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
