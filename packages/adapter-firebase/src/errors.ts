import { AdapterError, type AdapterErrorKind, type AdapterErrorOptions } from '@autosync/core'

/** An `AdapterError` whose message names the adapter; not retryable unless `options` say so. */
export const failure = (message: string, kind: AdapterErrorKind, options?: Partial<AdapterErrorOptions>) =>
  new AdapterError(`[autosync] [firestore] ${message}`, { kind, retryable: false, ...options })

/** What each Firestore error code means to core's schedule (FirebaseError.code, without `firestore/`); else `server`. */
const kinds: Record<string, AdapterErrorKind> = {
  'permission-denied': 'auth',
  unauthenticated: 'auth',
  'resource-exhausted': 'rate-limited',
  'deadline-exceeded': 'timeout',
  unavailable: 'network',
  'invalid-argument': 'rejected',
  'failed-precondition': 'rejected',
  'out-of-range': 'rejected',
}

export function toAdapterError(error: unknown, what: string): AdapterError {
  if (AdapterError.isInstance(error)) return error
  const code = String((error as { code?: unknown })?.code ?? '').replace(/^firestore\//, '')
  const kind = Object.hasOwn(kinds, code) ? kinds[code]! : 'server'
  return failure(`${what} failed: ${code || (error as Error)?.message || 'unknown error'}`, kind, {
    retryable: kind !== 'auth' && kind !== 'rejected',
    // Quota: a long floor, so a device does not hammer a project over its limits.
    retryAfterMs: kind === 'rate-limited' ? 60_000 : undefined,
    cause: error,
  })
}

/**
 * `work` with its failure mapped to an `AdapterError`, or a retryable timeout after `ms`: the SDK retries offline
 * writes forever, core owns the schedule.
 */
export function settle<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(failure(`${what} timed out after ${ms} ms`, 'timeout', { retryable: true })), ms)
  })
  return Promise.race([work, timeout])
    .catch((error) => {
      throw toAdapterError(error, what)
    })
    .finally(() => clearTimeout(timer))
}
