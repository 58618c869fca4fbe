import type { Clock } from '@autosync/core'

/** Static S3 credentials; `expiration` (epoch ms) makes the adapter ask the provider again before it passes. */
export interface S3Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: number
}

/** A request the adapter wants to send; `presign` returns where to send it instead (a presigned URL). */
export interface S3PresignRequest {
  method: 'GET' | 'PUT' | 'DELETE' | 'HEAD'
  /** The unsigned object or bucket URL, query included. */
  url: string
  /** Headers that must be part of the signature (e.g. `if-none-match`). */
  headers: Record<string, string>
}

export interface S3AdapterOptions {
  /** Bucket name (3–63 characters). */
  bucket: string
  /** `https://s3.{region}.amazonaws.com` when absent; set it for R2, MinIO, B2, Wasabi or a local server. */
  endpoint?: string
  /** SigV4 region. Default `'us-east-1'` (R2 uses `'auto'`). */
  region?: string
  /** Key prefix before `{userId}/`. Default `'autosync'`. */
  prefix?: string
  /** Static credentials or an async provider, called again on expiry and once after an auth failure. */
  credentials?: S3Credentials | (() => Promise<S3Credentials> | S3Credentials)
  /** Instead of credentials: the app's backend signs each request, so the browser never holds a secret. */
  presign?: (request: S3PresignRequest) => Promise<{ url: string; headers?: Record<string, string> }>
  /** Path-style URLs (`endpoint/bucket/key`). Default: true when `endpoint` is set, virtual-hosted on AWS. */
  pathStyle?: boolean
  /** Default the global `fetch`. */
  fetch?: typeof fetch
  /** A request that takes longer fails as a retryable `timeout`. Default 30,000 ms. */
  timeoutMs?: number
  /** Changes per PUT (one log segment per push batch). Default 500. */
  maxBatchSize?: number
  /**
   * How late (by the writers' clocks) a segment may land and still be read: pull re-lists this far back and
   * skips segments it already applied. Default 300,000 ms (5 minutes).
   */
  settleMs?: number
  /** Compaction folds the log into a snapshot when it holds more segments than this. Default 500; 0 turns it off. */
  compactAfterSegments?: number
  /** A push checks the segment count every this many pushes. Default 50. */
  compactCheckEvery?: number
  /** A log segment larger than this is not read (dead letter). Default 8 MiB. */
  maxSegmentBytes?: number
  /** Time source for signing dates, timeouts, segment positions and credential expiry. */
  clock?: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>
}

export interface ResolvedOptions extends Required<Omit<S3AdapterOptions, 'credentials' | 'presign' | 'endpoint'>> {
  endpoint: string
  credentials?: S3AdapterOptions['credentials']
  presign?: S3AdapterOptions['presign']
}

const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

export function resolveOptions(options: S3AdapterOptions): ResolvedOptions {
  if (!bucketPattern.test(options.bucket ?? '')) {
    throw new TypeError(`[autosync] [s3] bucket must be 3-63 lowercase letters, digits, dots or hyphens`)
  }
  if (!options.credentials === !options.presign) {
    throw new TypeError('[autosync] [s3] pass exactly one of credentials or presign')
  }
  const region = options.region ?? 'us-east-1'
  const endpoint = (options.endpoint ?? `https://s3.${region}.amazonaws.com`).replace(/\/+$/, '')
  const globalFetch = (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init)
  return {
    bucket: options.bucket,
    endpoint,
    region,
    prefix: (options.prefix ?? 'autosync').replace(/^\/+|\/+$/g, ''),
    credentials: options.credentials,
    presign: options.presign,
    pathStyle: options.pathStyle ?? options.endpoint !== undefined,
    fetch: options.fetch ?? globalFetch,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxBatchSize: options.maxBatchSize ?? 500,
    settleMs: options.settleMs ?? 300_000,
    compactAfterSegments: options.compactAfterSegments ?? 500,
    compactCheckEvery: options.compactCheckEvery ?? 50,
    maxSegmentBytes: options.maxSegmentBytes ?? 8 * 1024 * 1024,
    clock: options.clock ?? {
      now: () => Date.now(),
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
  }
}
