/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date. Malformed or absent is `undefined`, so
 * only the timing is lost and the failure stays retryable.
 */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header?.trim()) return
  const seconds = Number(header)
  if (seconds >= 0) return seconds * 1000
  // Every HTTP date form has a hh:mm:ss time; Date.parse alone accepts fragments like "Thu, 99 Nov".
  const date = /\d\d:\d\d:\d\d/.test(header) ? Date.parse(header) : Number.NaN
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
