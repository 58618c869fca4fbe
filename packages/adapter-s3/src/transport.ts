import { AwsV4Signer } from 'aws4fetch'
import { errorFromResponse, failure, parseErrorXml, refreshableCodes } from './errors'
import type { ResolvedOptions, S3Credentials } from './options'

export interface S3Request {
  method: 'GET' | 'PUT' | 'DELETE' | 'HEAD'
  url: string
  headers?: Record<string, string>
  body?: string
  signal: AbortSignal
}

export interface S3Answer {
  response: Response
  text: string
}

/** Sends signed (or presigned) requests; one fresh-credentials retry after an auth failure, no other retries. */
export function createTransport(options: ResolvedOptions) {
  let cached: Promise<S3Credentials> | undefined

  async function credentials(forceRefresh: boolean): Promise<S3Credentials> {
    const source = options.credentials!
    if (typeof source !== 'function') return source
    const current = cached ? await cached.catch(() => undefined) : undefined
    // Temporary credentials are renewed a minute before they expire, so a request never races the expiry.
    const stale = !current || (current.expiration !== undefined && current.expiration - 60_000 <= options.clock.now())
    if (forceRefresh || stale) cached = Promise.resolve().then(source)
    return cached!
  }

  async function prepare(request: S3Request, forceRefresh: boolean): Promise<{ url: string; init: RequestInit }> {
    const headers = { ...request.headers }
    if (options.presign) {
      const signed = await options.presign({ method: request.method, url: request.url, headers })
      return { url: signed.url, init: { method: request.method, headers: { ...headers, ...signed.headers } } }
    }
    const { accessKeyId, secretAccessKey, sessionToken } = await credentials(forceRefresh)
    const signer = new AwsV4Signer({
      method: request.method,
      url: request.url,
      headers,
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      service: 's3',
      region: options.region,
      datetime: new Date(options.clock.now()).toISOString().replace(/[:-]|\.\d{3}/g, ''),
    })
    const signed = await signer.sign()
    return { url: signed.url.toString(), init: { method: request.method, headers: signed.headers } }
  }

  async function once(request: S3Request, forceRefresh: boolean): Promise<S3Answer> {
    request.signal.throwIfAborted()
    const { url, init } = await prepare(request, forceRefresh)
    const controller = new AbortController()
    const abort = () => controller.abort(request.signal.reason)
    request.signal.addEventListener('abort', abort, { once: true })
    let timedOut = false
    const timer = options.clock.setTimeout(() => {
      timedOut = true
      controller.abort()
    }, options.timeoutMs)
    try {
      const response = await options.fetch(url, {
        ...init,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: controller.signal,
      })
      return { response, text: await response.text() }
    } catch (error) {
      if (timedOut) {
        throw failure(`${request.method} timed out after ${options.timeoutMs} ms`, 'timeout', {
          retryable: true,
          cause: error,
        })
      }
      if (request.signal.aborted) throw error
      // The URL may be presigned: the message names only the method and bucket, never the query.
      throw failure(`${request.method} in bucket "${options.bucket}" failed: network error`, 'network', {
        retryable: true,
        cause: error instanceof Error ? new Error(error.name) : undefined,
      })
    } finally {
      options.clock.clearTimeout(timer)
      request.signal.removeEventListener('abort', abort)
    }
  }

  /** The answer when it is 2xx or one of `accept`; otherwise an `AdapterError`. */
  return async function send(request: S3Request, accept: number[] = []): Promise<S3Answer> {
    let answer = await once(request, false)
    const authFailure = (status: number, text: string) =>
      (status === 401 || status === 403) && refreshableCodes.has(parseErrorXml(text).code)
    const refreshable = options.presign !== undefined || typeof options.credentials === 'function'
    if (refreshable && authFailure(answer.response.status, answer.text)) answer = await once(request, true)
    const { response } = answer
    if (response.ok || accept.includes(response.status)) return answer
    throw errorFromResponse(response, answer.text, {
      method: request.method,
      bucket: options.bucket,
      now: options.clock.now(),
    })
  }
}

export type Send = ReturnType<typeof createTransport>
