import type { AdapterErrorKind } from '../errors'

/** What an HTTP answer means for a sync: the `AdapterError` kind and whether a later attempt may succeed. */
export interface HttpStatusClass {
  kind: AdapterErrorKind
  retryable: boolean
}

/**
 * The one HTTP status table for adapters: 401/403 `auth`; 404 `protocol`, retryable (a missing route or bucket
 * refuses the whole request for what no change caused, so the attempt fails and nothing is dead-lettered); 408
 * `timeout`; 409 `conflict`; 429 `rate-limited`; 5xx `server`, retryable; any other status `rejected` for good.
 */
export function classifyHttpStatus(status: number): HttpStatusClass {
  if (status === 401 || status === 403) return { kind: 'auth', retryable: false }
  if (status === 404) return { kind: 'protocol', retryable: true }
  if (status === 408) return { kind: 'timeout', retryable: true }
  if (status === 409) return { kind: 'conflict', retryable: false }
  if (status === 429) return { kind: 'rate-limited', retryable: true }
  if (status >= 500) return { kind: 'server', retryable: true }
  return { kind: 'rejected', retryable: false }
}
