import { AdapterError, type AdapterErrorKind } from '@autosync/core'
import { parseRetryAfter } from './retry-after'
import { describeUrl } from './url'

// One import of core's error class for the whole adapter: each module's own import is repeated in the bundle.
export { AdapterError }

const kinds: Record<number, AdapterErrorKind> = {
  401: 'auth',
  403: 'auth',
  408: 'timeout',
  409: 'conflict',
  429: 'rate-limited',
}

/** `[autosync] [rest] <method> <url without query> <what>`: never a header, a token or a record value. */
export const describe = (method: string, url: URL, what: string) =>
  `[autosync] [rest] ${method} ${describeUrl(url)} ${what}`

/** Maps a non-2xx answer to its AdapterError: 408/429/5xx retryable (with Retry-After), 401/403 auth, 409
 * conflict, any other status permanently rejected. */
export function statusError(method: string, url: URL, response: Response, body: unknown): AdapterError {
  const status = response.status
  const retryable = status === 408 || status === 429 || status > 499
  const code = (body as { error?: { code?: unknown } })?.error?.code
  // Only a code that looks like one is shown: a server may echo anything in its messages.
  const shown = typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? ` ${code}` : ''
  return new AdapterError(describe(method, url, `answered ${status}${shown}`), {
    kind: kinds[status] ?? (retryable ? 'server' : 'rejected'),
    retryable,
    status,
    retryAfterMs: retryable ? parseRetryAfter(response.headers.get('retry-after')) : undefined,
  })
}
