import type { AdapterErrorKind, AdapterErrorOptions } from '@autosync/core'
import { AdapterError } from './core'

/** An `AdapterError` whose message names the adapter; not retryable unless `options` say so. */
export const failure = (message: string, kind: AdapterErrorKind, options?: Partial<AdapterErrorOptions>) =>
  new AdapterError(`[autosync] [s3] ${message}`, { kind, retryable: false, ...options })

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
  const [kind, retryable, label = '']: [AdapterErrorKind, boolean, string?] =
    status === 429 || code === 'SlowDown' || code === 'TooManyRequests'
      ? ['rate-limited', true, 'rate limited: ']
      : status === 401 || status === 403
        ? ['auth', false, 'not authorized: ']
        : // A whole request refused for what no change caused (a missing bucket, a wrong endpoint) fails the
          // attempt: core backs off and keeps every change pending instead of dead-lettering the queue.
          status === 404
          ? ['protocol', true]
          : status === 408
            ? ['timeout', true]
            : status === 409
              ? ['conflict', false]
              : status >= 500
                ? ['server', true]
                : status === 400 || status === 413 || status === 411
                  ? ['rejected', false]
                  : ['protocol', false]
  const hint = status === 404 ? ' (is the bucket or endpoint wrong?)' : ''
  return failure(label + detail + hint, kind, { retryable, status, retryAfterMs })
}
