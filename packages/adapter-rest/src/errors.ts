import { AdapterError } from '@autosync/core'
import { classifyHttpStatus, parseRetryAfter } from '@autosync/core/http'
import { describeUrl } from './url'

// One import of core's error class for the whole adapter: each module's own import is repeated in the bundle.
export { AdapterError }

/** `[autosync] [rest] <method> <url without query> <what>`: never a header, a token or a record value. */
export const describe = (method: string, url: URL, what: string) =>
  `[autosync] [rest] ${method} ${describeUrl(url)} ${what}`

/** Maps a non-2xx answer to its AdapterError by core's one status table (`classifyHttpStatus`), with Retry-After. */
export function statusError(method: string, url: URL, response: Response, body: unknown): AdapterError {
  const status = response.status
  const code = (body as { error?: { code?: unknown } })?.error?.code
  // A batch id the server knows with another body: the batch's changes were never refused, so none may become a
  // dead letter. Core names each body by its own id, so this means a server or proxy out of step; it is retried.
  const { kind, retryable } =
    code === 'idempotency-key-reused' ? { kind: 'protocol' as const, retryable: true } : classifyHttpStatus(status)
  // Only a code that looks like one is shown: a server may echo anything in its messages.
  const shown = typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? ` ${code}` : ''
  return new AdapterError(describe(method, url, `answered ${status}${shown}`), {
    kind,
    retryable,
    status,
    retryAfterMs: retryable ? parseRetryAfter(response.headers.get('retry-after')) : undefined,
  })
}
