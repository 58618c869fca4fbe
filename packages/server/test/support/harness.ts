import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll } from 'vitest'
import { createTokenSigner, type TokenSigner } from '../../src/auth/token-signer'
import type { LogEntry, ServerLogger } from '../../src/logger'
import { createSyncServer, type SyncServer, type SyncServerOptions } from '../../src/server'
import type { SyncStore } from '../../src/store/sync-store'
import type { BackendLane } from './backends'

/** A decoded JSON answer; tests read it through assertions, so its shape is left open. */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field by the assertions
export type JsonAnswer = any

export const testSecret = 'test-secret-0123456789abcdef-0123456789'

export interface TestServer {
  url: string
  server: SyncServer
  signer: TokenSigner
  logs: LogEntry[]
  close(): Promise<void>
}

/** A real HTTP server on 127.0.0.1 and a free port, logging into `logs`. */
export async function startTestServer(
  store: SyncStore,
  options: Pick<SyncServerOptions, 'limits' | 'corsOrigin' | 'batchRetentionMs' | 'clock'> = {},
): Promise<TestServer> {
  const logs: LogEntry[] = []
  const logger: ServerLogger = {
    info: (entry) => logs.push(entry),
    warn: (entry) => logs.push(entry),
    error: (entry) => logs.push(entry),
  }
  const signer = createTokenSigner(testSecret)
  const server = createSyncServer({ store, verifier: signer.verify, logger, ...options })
  const { url } = await server.listen(0, '127.0.0.1')
  return { url, server, signer, logs, close: () => server.close() }
}

/**
 * Starts one server on the lane's store for a describe block (limits small enough to test: 64 KiB records,
 * 50 changes per batch) and disposes of the lane after it. Read `current()` inside tests.
 */
export function useLaneServer(lane: BackendLane): { current(): TestServer } {
  let server: TestServer | undefined
  beforeAll(async () => {
    server = await startTestServer(await lane.openStore(), {
      limits: { maxRecordBytes: 64 * 1024, maxChangesPerBatch: 50 },
    })
  })
  afterAll(async () => {
    await server?.close()
    await lane.dispose()
  })
  return { current: () => server! }
}

/** A promise and its resolve function: a test holds a transaction open until it lets it go. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

export function uniqueUser(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`
}

export interface ChangeInput {
  changeId?: string
  table?: unknown
  key?: unknown
  op?: 'put' | 'delete'
  value?: unknown
  changedFields?: string[]
  seq: number
  clientId?: string
}

export function change(input: ChangeInput): Record<string, unknown> {
  const clientId = input.clientId ?? 'client-a'
  const result: Record<string, unknown> = {
    changeId: input.changeId ?? `${clientId}:${input.seq}`,
    table: input.table ?? 'notes',
    key: input.key ?? 'k1',
    op: input.op ?? 'put',
    seq: input.seq,
    timestamp: 1_700_000_000_000 + input.seq,
  }
  if (input.value !== undefined) result.value = input.value
  else if ((input.op ?? 'put') === 'put') result.value = { title: `seq ${input.seq}` }
  if (input.changedFields) result.changedFields = input.changedFields
  return result
}

export function batch(
  changes: Record<string, unknown>[],
  options: { batchId?: string; clientId?: string; userId?: string | null } = {},
) {
  const body: Record<string, unknown> = {
    batchId: options.batchId ?? randomUUID(),
    clientId: options.clientId ?? 'client-a',
    changes,
  }
  if (options.userId !== undefined) body.userId = options.userId
  return body
}

/** Sends a push; `raw` bodies go as-is, objects as JSON with the Idempotency-Key from their batchId. */
export async function push(
  url: string,
  token: string | null,
  body: Record<string, unknown> | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; json: JsonAnswer }> {
  const allHeaders: Record<string, string> = { 'content-type': 'application/json' }
  if (token !== null) allHeaders.authorization = `Bearer ${token}`
  if (typeof body !== 'string' && typeof body.batchId === 'string') allHeaders['idempotency-key'] = body.batchId
  Object.assign(allHeaders, headers)
  const response = await fetch(`${url}/push`, {
    method: 'POST',
    headers: allHeaders,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, text, json: text ? JSON.parse(text) : null }
}

export async function getJson(
  url: string,
  token: string | null,
): Promise<{ status: number; json: JsonAnswer; headers: Headers }> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  const text = await response.text()
  return { status: response.status, json: text ? JSON.parse(text) : null, headers: response.headers }
}

/** Every change of the user, paging through pull. */
export async function pullAll(url: string, token: string, limit = 1000): Promise<JsonAnswer[]> {
  const changes: JsonAnswer[] = []
  let cursor = ''
  for (;;) {
    const page = await getJson(`${url}/pull?cursor=${cursor}&limit=${limit}`, token)
    if (page.status !== 200) throw new Error(`pull answered ${page.status}: ${JSON.stringify(page.json)}`)
    changes.push(...page.json.changes)
    if (!page.json.hasMore) return changes
    cursor = page.json.cursor
  }
}
