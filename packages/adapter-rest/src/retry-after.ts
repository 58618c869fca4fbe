/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date. Malformed or absent → undefined, so only
 * the timing is lost and the failure stays retryable.
 */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header?.trim()) return
  const seconds = Number(header)
  const date = Date.parse(header)
  return seconds >= 0 ? seconds * 1000 : date ? Math.max(0, date - now) : undefined
}
