import { AdapterError } from '@autosync/core'

/** What each Firestore error code means to core's schedule (FirebaseError.code, without the `firestore/` prefix). */
export function toAdapterError(error: unknown, what: string): AdapterError {
  if (AdapterError.isInstance(error)) return error
  const code = String((error as { code?: unknown })?.code ?? '').replace(/^firestore\//, '')
  const message = `[autosync] [firestore] ${what} failed: ${code || (error as Error)?.message || 'unknown error'}`
  if (code === 'permission-denied' || code === 'unauthenticated') {
    return new AdapterError(message, { kind: 'auth', retryable: false, cause: error })
  }
  // Quota: a long floor, so a device does not hammer a project over its limits.
  if (code === 'resource-exhausted') {
    return new AdapterError(message, { kind: 'rate-limited', retryable: true, retryAfterMs: 60_000, cause: error })
  }
  if (code === 'deadline-exceeded') return new AdapterError(message, { kind: 'timeout', retryable: true, cause: error })
  if (code === 'invalid-argument' || code === 'failed-precondition' || code === 'out-of-range') {
    return new AdapterError(message, { kind: 'rejected', retryable: false, cause: error })
  }
  return new AdapterError(message, {
    kind: code === 'unavailable' ? 'network' : 'server',
    retryable: true,
    cause: error,
  })
}

/** `work`, or a retryable timeout after `ms`: the SDK retries offline writes forever, core owns the schedule. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AdapterError(`[autosync] [firestore] ${what} timed out after ${ms} ms`, {
            kind: 'timeout',
            retryable: true,
          }),
        ),
      ms,
    )
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}
