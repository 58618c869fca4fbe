import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { build } from 'esbuild'

export interface BundleServerOptions {
  /** Output name (served as `/<name>.js`) → entry file path. */
  entries: Record<string, string>
  /** Extra static responses by path, e.g. `{ '/index.html': '<script src="/page.js"></script>' }`. */
  files?: Record<string, string>
  /** Extra headers on every response (e.g. a Content-Security-Policy). */
  headers?: Record<string, string>
  /** Handles paths the bundle does not serve (e.g. a proxied API); return false to 404. */
  fallback?: (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>
  /** esbuild `define`; default `{ 'process.env.NODE_ENV': '"development"' }` (pass `{}` to replace nothing). */
  define?: Record<string, string>
  /** Export conditions besides `@autosync/source`, e.g. `['development']` as Vite's dev server resolves them. */
  conditions?: string[]
}

export interface BundleServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  url(path?: string): string
  close(): Promise<void>
}

const defaultHtml = (scripts: string[]) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>autosync test</title></head><body>${scripts
    .map((name) => `<script type="module" src="/${name}.js"></script>`)
    .join('')}</body></html>`

/** Bundles test pages from TypeScript source with esbuild and serves them on loopback. */
export async function serveBundle(options: BundleServerOptions): Promise<BundleServer> {
  const result = await build({
    entryPoints: options.entries,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outdir: '/out',
    sourcemap: 'inline',
    conditions: [...(options.conditions ?? []), '@autosync/source'],
    define: options.define ?? { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  })
  const assets = new Map<string, { body: string | Uint8Array; type: string }>()
  for (const file of result.outputFiles) {
    const name = file.path.replace(/^.*\/out\//, '/')
    assets.set(name, { body: file.contents, type: name.endsWith('.css') ? 'text/css' : 'text/javascript' })
  }
  assets.set('/index.html', { body: defaultHtml(Object.keys(options.entries)), type: 'text/html; charset=utf-8' })
  for (const [path, body] of Object.entries(options.files ?? {})) {
    assets.set(path, { body, type: path.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/plain' })
  }

  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    const asset = assets.get(path === '/' ? '/index.html' : path)
    if (asset) {
      response.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store', ...options.headers })
      response.end(asset.body)
      return
    }
    if (options.fallback && (await options.fallback(request, response))) return
    response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    url: (path = '/') => `${origin}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
