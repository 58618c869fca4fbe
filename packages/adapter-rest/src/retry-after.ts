/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date. Malformed or absent → undefined, so only
 * the timing is lost and the failure stays retryable.
 */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header?.trim()) return
  const seconds = Number(header)
  // Every HTTP date form has a hh:mm:ss time; Date.parse alone accepts fragments like "Thu, 99 Nov".
  const date = /\d\d:\d\d:\d\d/.test(header) ? Date.parse(header) : Number.NaN
  return seconds >= 0 ? seconds * 1000 : date ? Math.max(0, date - now) : undefined
}
