import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { authenticate } from './auth/authenticate'
import { developmentSecret, developmentSecretRefused, isLoopbackHost, resolveServerSecret } from './auth/server-secret'
import { createTokenSigner, type TokenVerifier } from './auth/token-signer'
import { answerPreflight, applyCors, type CorsOrigin } from './http/cors'
import { HttpError } from './http/http-error'
import { sendError, sendJson } from './http/respond'
import { matchRoute, splitUrl } from './http/routes'
import { isUnavailableError } from './http/unavailable'
import { resolveLimits, type SyncServerLimits } from './limits'
import { createHintHub } from './live/hint-hub'
import { createJsonLogger, type ServerLogger } from './logger'
import { handleBackup, handleRestore } from './routes/backup-route'
import type { RouteContext } from './routes/context'
import { handleEvents } from './routes/events-route'
import { handlePull } from './routes/pull-route'
import { handlePush } from './routes/push-route'
import type { SyncStore } from './store/sync-store'
import { createBatchPruner } from './sync/batch-pruner'

export interface SyncServerOptions {
  /** Where records, batches and backups live: `createSqliteStore()` or `await createPostgresStore(...)`. */
  store: SyncStore
  /** Who a bearer token belongs to. Default: HMAC tokens signed with `AUTOSYNC_SERVER_SECRET`. */
  verifier?: TokenVerifier
  /**
   * Default: 5 MiB bodies, 1000 changes per batch, 1 MiB records, depth 64, 16 MiB backups (2 at once), headers in
   * 10 s, a whole request in 60 s, 1,024 connections.
   */
  limits?: Partial<SyncServerLimits>
  /** Default: one JSON line per entry on stdout. */
  logger?: ServerLogger
  /** Browser origins allowed to call the server (CORS). Default: none. */
  corsOrigin?: CorsOrigin
  /**
   * How long the first answer to a push batch is kept to answer a replay of it verbatim, in milliseconds. Older
   * answers are pruned (at most once an hour, after a push); a later replay is answered from the applied change
   * ids instead, so nothing is applied twice. `Infinity` keeps them. Default 7 days.
   */
  batchRetentionMs?: number
  /** Time of batch answers and pruning; tests pass a fake. Default `Date`. */
  clock?: { now(): number }
}

export interface SyncServer {
  /** The request listener, to mount in an existing `node:http` server. */
  handler: (request: IncomingMessage, response: ServerResponse) => void
  /** Starts listening; port 0 picks a free port. Defaults: port 8787, host 127.0.0.1. */
  listen(port?: number, host?: string): Promise<{ port: number; host: string; url: string }>
  /** Stops listening and closes open connections. The store stays open: its owner closes it. */
  close(): Promise<void>
}

/**
 * A Node HTTP server for the autosync batch protocol (`POST /push`, `GET /pull`, `POST /backup`,
 * `GET /backup/latest`, `GET /backup/{id}`, `GET /health`). Stateless: every instance on one database
 * gives the same answers.
 *
 * @example
 * const server = createSyncServer({ store: createSqliteStore({ filename: './data.db' }) })
 * await server.listen(8787, '127.0.0.1')
 */
export function createSyncServer(options: SyncServerOptions): SyncServer {
  const { store } = options
  const logger = options.logger ?? createJsonLogger()
  const limits = resolveLimits(options.limits)
  const secret = options.verifier ? undefined : resolveServerSecret({ logger })
  const verifier = options.verifier ?? createTokenSigner(secret as string).verify
  const clock = options.clock ?? Date
  const now = () => clock.now()
  const pruneBatches = createBatchPruner(store, clock, logger, options.batchRetentionMs)
  const live = createHintHub(limits)
  // PostgreSQL: every instance hears every commit (LISTEN/NOTIFY), its own included. Started with the first stream.
  let listening: Promise<() => Promise<void>> | undefined
  const listenForCommits = () => {
    if (!store.listenForCommits || listening) return listening
    listening = store.listenForCommits(
      (userId, clientId) => live.publish(userId, clientId),
      () => {
        // Hints may have been missed: every client reconnects, and pulls after reconnecting.
        listening = undefined
        live.endAll()
      },
    )
    listening.catch(() => {
      listening = undefined
    })
    return listening
  }
  let backupsInFlight = 0
  const backups = {
    enter: () => backupsInFlight < limits.maxConcurrentBackups && ++backupsInFlight > 0,
    leave: () => void backupsInFlight--,
  }

  async function route(request: IncomingMessage, response: ServerResponse, state: { userId: string | null }) {
    const { path, query } = splitUrl(request.url)
    const matched = matchRoute(path)
    if (!matched) throw new HttpError(404, 'not-found', 'no such endpoint')
    if (request.method === 'OPTIONS') return answerPreflight(response, matched.methods)
    if (!matched.methods.includes(request.method ?? '')) {
      throw new HttpError(405, 'method-not-allowed', `${request.method} is not allowed here`, {
        headers: { Allow: matched.methods.join(', ') },
      })
    }
    if (matched.name === 'health') {
      await store.ping()
      return sendJson(response, 200, { ok: true, database: store.database })
    }
    const userId = await authenticate(request, verifier)
    state.userId = userId
    const context: RouteContext = {
      request,
      response,
      query,
      userId,
      store,
      limits,
      now,
      pushed(clientId) {
        pruneBatches()
        // Without a shared notification channel (SQLite: one process), this instance hints its own streams.
        if (!store.listenForCommits) live.publish(userId, clientId)
      },
      backups,
      live,
    }
    if (matched.backupId !== undefined) context.backupId = matched.backupId
    switch (matched.name) {
      case 'push':
        return handlePush(context)
      case 'pull':
        return handlePull(context)
      case 'events':
        await listenForCommits()
        return handleEvents(context)
      case 'backup':
        return handleBackup(context)
      default:
        return handleRestore(context)
    }
  }

  function handler(request: IncomingMessage, response: ServerResponse): void {
    const started = performance.now()
    const state: { userId: string | null } = { userId: null }
    let discardRestOfBody = false
    // 'close' comes after the answer or when the client goes away first: one line per request either way.
    response.once('close', () => {
      // The path only: query strings are never logged, and neither are headers or bodies.
      logger.info({
        event: 'request',
        method: request.method,
        path: splitUrl(request.url).path.slice(0, 200),
        status: response.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        userId: state.userId,
        ...(response.writableFinished ? {} : { aborted: true }),
      })
    })
    response.once('finish', () => {
      // A refused upload may still be streaming in. Closing at once would reset the connection before the client
      // reads the answer, so discard what arrives for a moment, then close if it is still coming.
      if (discardRestOfBody && !request.complete) {
        setTimeout(() => {
          if (!request.complete) request.socket.destroy()
        }, 1000).unref()
      }
    })
    applyCors(request, response, options.corsOrigin)
    route(request, response, state).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy()
        return
      }
      if (!request.complete) {
        discardRestOfBody = true
        request.resume()
      }
      if (error instanceof HttpError) return sendError(response, error)
      if (isUnavailableError(error)) {
        logger.warn({ event: 'database-unavailable', message: (error as Error).message })
        return sendError(
          response,
          new HttpError(503, 'unavailable', 'the database is unavailable', { headers: { 'Retry-After': '1' } }),
        )
      }
      logger.error({ event: 'internal-error', name: (error as Error)?.name, message: (error as Error)?.message })
      sendError(response, new HttpError(500, 'internal', 'internal server error'))
    })
  }

  let server: Server | null = null
  return {
    handler,
    listen(port = 8787, host = '127.0.0.1') {
      // The public development secret would let anyone who reaches this host sign tokens for any user.
      if (secret === developmentSecret && !isLoopbackHost(host)) return Promise.reject(developmentSecretRefused(host))
      const listening = createServer(
        {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          // Node checks both timeouts this often (30 s by default, which would let a dripped body live that long).
          connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
        },
        handler,
      )
      listening.maxConnections = limits.maxConnections
      server = listening
      return new Promise((resolve, reject) => {
        listening.once('error', reject)
        listening.listen(port, host, () => {
          const address = listening.address() as AddressInfo
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
          resolve({ port: address.port, host: address.address, url: `http://${shownHost}:${address.port}` })
        })
      })
    },
    async close() {
      const running = server
      server = null
      // Streams end with `event: bye` before their connections close: clients reconnect elsewhere at once.
      live.endAll()
      // One turn of the event loop lets the `bye` lines leave before the sockets close.
      await new Promise((resolve) => setImmediate(resolve))
      const unlisten = listening
      listening = undefined
      await (await unlisten?.catch(() => undefined))?.()
      if (!running) return
      await new Promise<void>((resolve, reject) => {
        running.close((error) => (error ? reject(error) : resolve()))
        running.closeAllConnections()
      })
    },
  }
}
