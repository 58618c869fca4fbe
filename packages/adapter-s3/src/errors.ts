import { AdapterError } from '@autosync/core'

/** The `<Code>` and `<Message>` of an S3 XML error body (empty when the body is not one). */
export function parseErrorXml(text: string): { code: string; message: string } {
  const pick = (tag: string) => new RegExp(`<${tag}>([^<]{0,200})</${tag}>`).exec(text)?.[1] ?? ''
  return { code: pick('Code'), message: pick('Message') }
}

/** Codes after which fresh credentials (or a fresh presigned URL) may succeed. */
export const refreshableCodes = new Set([
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidAccessKeyId',
  'TokenRefreshRequired',
  'RequestTimeTooSkewed',
])

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; malformed loses only the timing. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (!header?.trim()) return
  const seconds = Number(header)
  if (seconds >= 0) return seconds * 1000
  const date = /\d\d:\d\d:\d\d/.test(header) ? Date.parse(header) : Number.NaN
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Maps an S3 answer to an `AdapterError`; the message names method, bucket and status, never the URL's query. */
export function errorFromResponse(
  response: Response,
  bodyText: string,
  what: { method: string; bucket: string; now: number },
): AdapterError {
  const { status } = response
  const { code, message } = parseErrorXml(bodyText)
  const detail = `${what.method} in bucket "${what.bucket}" answered ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), what.now)
  const base = { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }
  if (status === 429 || code === 'SlowDown' || code === 'TooManyRequests') {
    return new AdapterError(`[autosync] [s3] rate limited: ${detail}`, {
      kind: 'rate-limited',
      retryable: true,
      ...base,
    })
  }
  if (status === 401 || status === 403) {
    return new AdapterError(`[autosync] [s3] not authorized: ${detail}`, { kind: 'auth', retryable: false, ...base })
  }
  // A whole request refused for what no change caused (a missing bucket, a wrong endpoint) fails the attempt:
  // core backs off and keeps every change pending instead of dead-lettering the queue.
  if (status === 404) {
    return new AdapterError(`[autosync] [s3] ${detail} (is the bucket or endpoint wrong?)`, {
      kind: 'protocol',
      retryable: true,
      ...base,
    })
  }
  if (status === 408)
    return new AdapterError(`[autosync] [s3] ${detail}`, { kind: 'timeout', retryable: true, ...base })
  if (status === 409)
    return new AdapterError(`[autosync] [s3] ${detail}`, { kind: 'conflict', retryable: false, ...base })
  if (status >= 500) return new AdapterError(`[autosync] [s3] ${detail}`, { kind: 'server', retryable: true, ...base })
  if (status === 400 || status === 413 || status === 411) {
    return new AdapterError(`[autosync] [s3] ${detail}`, { kind: 'rejected', retryable: false, ...base })
  }
  return new AdapterError(`[autosync] [s3] ${detail}`, { kind: 'protocol', retryable: false, ...base })
}
