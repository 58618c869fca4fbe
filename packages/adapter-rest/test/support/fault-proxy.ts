import type { AdapterFault } from '@autosync/core/testing'
import { type ScriptedServer, startScriptedServer } from './scripted-server'

export interface FaultProxy {
  /** The base URL through the proxy; with a fault, every `POST /push` gets that failure instead of the server. */
  url(fault?: AdapterFault): string
  /** Called when a `timeout` fault holds a request unanswered (the test fires the adapter's timer then). */
  onHang: () => void
  close(): Promise<void>
}

const faultName = (fault: AdapterFault) =>
  fault.type === 'http' ? `http-${fault.status}-${fault.retryAfterSeconds ?? ''}` : fault.type

/**
 * A loopback proxy in front of the real server: it forwards requests unchanged (answers streamed as they come) and injects backend faults on
 * `/fault/<name>/push`: an HTTP status with the protocol's error body (and Retry-After), a request never
 * answered, or a 2xx that is not JSON.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let proxy!: ScriptedServer
  const self: FaultProxy = {
    url: (fault) => (fault ? `${proxy.url}fault/${faultName(fault)}/` : proxy.url),
    onHang: () => {},
    close: () => proxy.close(),
  }
  proxy = await startScriptedServer(async (request, response) => {
    const matched = /^\/fault\/([^/]+)(\/.*)$/.exec(request.url)
    const path = matched ? matched[2]! : request.url
    if (matched && request.method === 'POST' && path === '/push') {
      const [, status, retryAfter] = /^http-(\d+)-(\d*)$/.exec(matched[1]!) ?? []
      if (status) {
        response.writeHead(Number(status), {
          'content-type': 'application/json',
          ...(retryAfter && { 'retry-after': retryAfter }),
        })
        return response.end(JSON.stringify({ error: { code: 'injected', message: `injected ${status}` } }))
      }
      if (matched[1] === 'timeout') return self.onHang()
      response.writeHead(200, { 'content-type': 'application/json' })
      return response.end('{"accepted": [')
    }
    // Streamed both ways (GET /events is a live stream); the upstream request ends when the client goes.
    const upstream = new AbortController()
    response.once('close', () => upstream.abort())
    const forwarded = await fetch(new URL(path.slice(1), target), {
      signal: upstream.signal,
      method: request.method,
      headers: Object.entries(request.headers).filter(
        (entry): entry is [string, string] =>
          typeof entry[1] === 'string' && !/^(host|connection|content-length)$/i.test(entry[0]),
      ),
      ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: request.body }),
    })
    const headers: Record<string, string> = {}
    forwarded.headers.forEach((value, name) => {
      if (!/^(connection|content-length|content-encoding|transfer-encoding|keep-alive)$/i.test(name))
        headers[name] = value
    })
    response.writeHead(forwarded.status, headers)
    try {
      for await (const chunk of (forwarded.body ?? []) as unknown as AsyncIterable<Uint8Array>) response.write(chunk)
    } catch {
      // The client or the server went away mid-stream.
    }
    response.end()
  })
  return self
}
