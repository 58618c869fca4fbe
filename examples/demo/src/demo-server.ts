import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import {
  createJsonLogger,
  createSyncServer,
  createTokenSigner,
  openStore,
  resolveServerSecret,
  type ServerLogger,
  silentLogger,
} from '@autosync/server'

export interface DemoServerOptions {
  /** Folder holding index.html, styles.css and the bundled app. */
  publicDir: string
  /** Database URL for the sync server. Default `sqlite:./.data/demo.db`. */
  database?: string
  /** Default 8080; 0 picks a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Default: one JSON line per request on stdout. */
  logger?: ServerLogger
}

export interface DemoServer {
  url: string
  close(): Promise<void>
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
}

// The panel and the app must work under a strict policy: no inline script or style anywhere.
const securityHeaders = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
}

/**
 * Serves the notes app and mounts the reference sync server under `/api`, on one origin so the demo
 * needs no CORS. `/demo/token` hands out development tokens and `/demo/outage` simulates a server down.
 */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const logger = options.logger ?? createJsonLogger()
  const store = await openStore(options.database ?? 'sqlite:./.data/demo.db')
  const secret = resolveServerSecret({ logger: silentLogger })
  const signer = createTokenSigner(secret)
  const sync = createSyncServer({ store, logger, verifier: signer.verify })
  let outage = false

  async function serveStatic(path: string, response: ServerResponse) {
    const file = normalize(join(options.publicDir, path === '/' ? 'index.html' : path))
    if (!file.startsWith(normalize(options.publicDir) + sep)) return notFound(response)
    try {
      const body = await readFile(file)
      response.writeHead(200, {
        'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
        ...securityHeaders,
      })
      response.end(body)
    } catch {
      notFound(response)
    }
  }

  function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://demo.invalid')
    if (url.pathname.startsWith('/api/')) {
      // A simulated outage drops the connection, as a stopped server would.
      if (outage) return void request.socket.destroy()
      request.url = url.pathname.slice('/api'.length) + url.search
      return sync.handler(request, response)
    }
    if (url.pathname === '/demo/token') {
      const user = url.searchParams.get('user') ?? ''
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(user))
        return sendJson(response, 400, { error: 'user must be 1-64 letters, digits, - or _' })
      return sendJson(response, 200, { token: signer.sign(user, { expiresInSeconds: 3600 }) })
    }
    if (url.pathname === '/demo/outage') {
      if (request.method === 'POST') outage = url.searchParams.get('on') === '1'
      return sendJson(response, 200, { outage })
    }
    if (request.method !== 'GET') return notFound(response)
    return void serveStatic(url.pathname, response)
  }

  const server = createServer(handle)
  await new Promise<void>((resolve, reject) => {
    // A busy port rejects (EADDRINUSE) instead of crashing the process from an unhandled 'error' event.
    server.once('error', (error) => void store.close().finally(() => reject(error)))
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', resolve)
  })
  const address = server.address() as AddressInfo
  return {
    url: `http://${address.address}:${address.port}/`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await store.close()
    },
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  response.end(JSON.stringify(body))
}

function notFound(response: ServerResponse) {
  response.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
}
