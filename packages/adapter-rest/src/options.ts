import type { Clock, RecordKey } from '@autosync/core'

/** What `getToken` is asked for; `forceRefresh` is true once after the server answered 401. */
export interface TokenRequest {
  forceRefresh: boolean
  /** The user whose changes are being sent (`AdapterContext.userId`): a token of that user, never another's. */
  userId: string | null
}

export interface RestAdapterOptions {
  /** Base URL every request path is built under, e.g. `https://api.example.com/sync`. Required. */
  baseUrl: string | URL
  /**
   * Returns the bearer token sent as `Authorization: Bearer <token>`; called before every request.
   * After a 401 it is called once with `forceRefresh: true` (shared by all concurrent requests) and the
   * request is repeated once. Return `null`/`undefined` to send no `Authorization` header. Default: none.
   */
  getToken?: (request: TokenRequest) => string | null | undefined | Promise<string | null | undefined>
  /** Extra headers sent with every request. Default `{}`. */
  headers?: Record<string, string>
  /** The `fetch` to use. Default: the global `fetch`. */
  fetch?: typeof fetch
  /** Time before one request counts as a `timeout` failure, in milliseconds. Default `30_000`. */
  timeoutMs?: number
  /** Timers of the request timeout and of live reconnects; tests pass a fake. Default `globalThis`. */
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>
  /** Jitter of live reconnect delays, a number in [0, 1). Default `Math.random`. */
  random?: () => number
  /** Adapter name shown in status and errors. Default `'rest'`. */
  name?: string
  /** Largest number of changes core hands to one `push`. Default `500`. */
  maxBatchSize?: number
  /**
   * Batch mode: largest request body in bytes. A batch whose changes do not fit is sent as several
   * requests, and a `413` from a server with a lower limit halves the request until one change is
   * refused alone (dead-lettered by core) while the rest go through. Default `4_194_304` (4 MiB, under
   * `@autosync/server`'s 5 MB default).
   */
  maxBodyBytes?: number
  /** `'batch'` (default) speaks the autosync sync protocol; `'resource'` maps changes onto an existing REST API. */
  mode?: 'batch' | 'resource'
  /** Resource mode: send updates as `PATCH` with a JSON merge patch of the changed fields. Default `false`. */
  partialUpdates?: boolean
  /** Resource mode: how many requests run at once. Default `4`. */
  concurrency?: number
  /**
   * Resource mode: the path segments of one record under `baseUrl`, unencoded (each is percent-encoded).
   * Default `(table, key) => [table, String(key)]`.
   */
  path?: (table: string, key: RecordKey) => string[]
  /**
   * Resource mode: for APIs that create records only through `POST {collection}` (json-server, many CRUD
   * frameworks), a `PUT`/`PATCH` answered 404 is sent again once as `POST` to the record path without its
   * last segment, with the full record. Default `false`.
   */
  createWithPost?: boolean
  /** Resource mode: `Content-Type` of `PATCH` bodies. Default `'application/json'` (`'application/merge-patch+json'` is RFC 7396's). */
  patchContentType?: string
}

export type ResolvedOptions = Required<Omit<RestAdapterOptions, 'getToken' | 'baseUrl' | 'fetch'>> &
  Pick<RestAdapterOptions, 'getToken' | 'fetch'> & { baseUrl: URL }

/** Fills defaults and refuses options that cannot work, before any request. */
export function resolveOptions(options: RestAdapterOptions): ResolvedOptions {
  let baseUrl: URL
  try {
    // A relative base ('/sync') resolves against the page, as fetch would resolve it.
    baseUrl = new URL(String(options.baseUrl), globalThis.location?.href)
  } catch {
    throw new TypeError(
      `[autosync] [rest] baseUrl ${String(options.baseUrl)} is not a URL (a relative one needs a page)`,
    )
  }
  // A trailing slash makes every built path resolve under the base path, not beside it.
  baseUrl.pathname = baseUrl.pathname.replace(/\/?$/, '/')
  baseUrl.search = baseUrl.hash = ''
  const resolved: ResolvedOptions = {
    name: 'rest',
    headers: {},
    timeoutMs: 30_000,
    clock: globalThis,
    maxBatchSize: 500,
    maxBodyBytes: 4_194_304, // 4 MiB
    mode: 'batch',
    partialUpdates: false,
    concurrency: 4,
    path: (table, key) => [table, String(key)],
    createWithPost: false,
    random: Math.random,
    patchContentType: 'application/json',
    ...Object.fromEntries(Object.entries(options).filter((entry) => entry[1] !== undefined)),
    baseUrl,
  }
  try {
    new Headers(resolved.headers)
  } catch {
    // The platform's message would quote the offending value, which may be a cookie or a key.
    throw new TypeError('[autosync] [rest] invalid option headers')
  }
  for (const [field, valid] of Object.entries({
    mode: /^(batch|resource)$/.test(resolved.mode),
    timeoutMs: resolved.timeoutMs > 0,
    maxBatchSize: resolved.maxBatchSize > 0,
    maxBodyBytes: resolved.maxBodyBytes > 0,
    concurrency: resolved.concurrency > 0,
  })) {
    if (!valid) throw new TypeError(`[autosync] [rest] invalid option ${field}`)
  }
  return resolved
}
