import { AdapterError } from '../errors'
import type { BackoffPolicy, Random, SyncErrorInfo } from '../types'

/** What the status and events say about a failure; never the record values or credentials. */
export function errorInfo(error: unknown, at: number): SyncErrorInfo {
  const adapterError = AdapterError.isInstance(error) ? error : undefined
  return {
    message: error instanceof Error ? error.message : String(error),
    kind: adapterError?.kind ?? 'unknown',
    ...(adapterError?.status === undefined ? {} : { status: adapterError.status }),
    retryable: adapterError?.retryable ?? true,
    at,
  }
}

export interface FailurePolicy {
  backoff: BackoffPolicy
  random: Random
  maxConsecutiveFailures: number
  recoveryMs: number
}

/**
 * After the `failures`-th failure in a row, ended at `end`: the backoff time (with `retryAfterMs` as a floor
 * after jitter, clamped to `maxMs`), or the open breaker's recovery time.
 */
export function afterFailure(failures: number, error: unknown, end: number, policy: FailurePolicy) {
  if (failures >= policy.maxConsecutiveFailures) return { retryAt: null, disabledUntil: end + policy.recoveryMs }
  let delay = policy.backoff.delay(failures, policy.random)
  const retryAfterMs = AdapterError.isInstance(error) ? error.retryAfterMs : undefined
  if (retryAfterMs !== undefined) delay = Math.max(delay, Math.min(retryAfterMs, policy.backoff.maxMs))
  return { retryAt: end + delay, disabledUntil: null }
}
