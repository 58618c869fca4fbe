const secretPatterns: [RegExp, string][] = [
  [/\bBearer\s+[^\s"',;]+/gi, 'Bearer [redacted]'],
  [/\b(Authorization|Proxy-Authorization|Cookie|Set-Cookie|X-Api-Key)("?\s*[:=]\s*"?)[^\n"',;]+/gi, '$1$2[redacted]'],
  [
    /\b(X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|token|access_token|id_token|refresh_token|api_key|apikey)=[^&\s"'#]+/gi,
    '$1=[redacted]',
  ],
]

/** Hides credentials that may hide in error messages or URLs: bearer tokens, Authorization values, URL signatures and tokens. */
export function redact(text: string): string {
  let result = text
  for (const [pattern, replacement] of secretPatterns) result = result.replace(pattern, replacement)
  return result
}

/** Shortens long text to a preview; a 1 MB string never reaches the DOM whole. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (+${text.length - max} chars)` : text
}

/** Every string shown in the panel goes through here. */
export function displayText(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : String(value)
  // Redact before truncating so a cut cannot split a secret out of its pattern.
  return truncate(redact(text.length > max * 4 ? text.slice(0, max * 4) : text), max)
}

/** `1.2 s`, `45 s`, `3 min 05 s`, `2 h 10 min`. */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms)
  if (value < 1_000) return `${Math.round(value)} ms`
  if (value < 10_000) return `${(value / 1_000).toFixed(1)} s`
  const seconds = Math.round(value / 1_000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}

export function formatAge(timestamp: number | null | undefined, now: number): string {
  if (timestamp == null) return '—'
  return now - timestamp < 1_000 ? 'just now' : `${formatDuration(now - timestamp)} ago`
}

export function formatCountdown(timestamp: number | null | undefined, now: number): string {
  if (timestamp == null) return '—'
  return timestamp <= now ? 'due now' : `in ${formatDuration(timestamp - now)}`
}

export function formatClock(timestamp: number): string {
  const date = new Date(timestamp)
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':')
}

/** A one-line JSON preview of a record value after the app's `sanitize`, or `null` when it cannot be shown. */
export function previewValue(value: unknown, sanitize: ((value: unknown) => unknown) | undefined): string {
  if (value === undefined) return '—'
  try {
    const shown = sanitize ? sanitize(value) : value
    const json = JSON.stringify(shown)
    return displayText(json ?? String(shown), 160)
  } catch {
    return '[unpreviewable value]'
  }
}
