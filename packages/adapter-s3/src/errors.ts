import type { AdapterErrorKind, AdapterErrorOptions } from '@autosync/core'
import { AdapterError, classifyHttpStatus, parseRetryAfter } from './core'

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
  const rateLimited = status === 429 || code === 'SlowDown' || code === 'TooManyRequests'
  // Core's table, except that S3 answers a throttle as 503 SlowDown too.
  const { kind, retryable } = rateLimited ? classifyHttpStatus(429) : classifyHttpStatus(status)
  const label = rateLimited ? 'rate limited: ' : kind === 'auth' ? 'not authorized: ' : ''
  const hint = status === 404 ? ' (is the bucket or endpoint wrong?)' : ''
  return failure(label + detail + hint, kind, { retryable, status, retryAfterMs })
}
