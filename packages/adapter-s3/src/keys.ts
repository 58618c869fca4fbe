import { ValidationError } from './core'
import type { ResolvedOptions } from './options'

/** Percent-encodes everything outside `[A-Za-z0-9._~-]`, so a segment can never add a `/`, `?` or `#`. */
export function encodeSegment(segment: string): string {
  let out = ''
  for (const byte of new TextEncoder().encode(segment)) {
    const char = String.fromCharCode(byte)
    out += /[A-Za-z0-9._~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

// Anything that could escape the user's folder or confuse a listing is refused before a request is made.
const isForbiddenUserId = (userId: string) =>
  /[/\\]/.test(userId) || [...userId].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)

/** The user's folder `{prefix}/{userId}`, each segment encoded; throws `ValidationError` for an unsafe id. */
export function userFolder(options: ResolvedOptions, userId: string | null): string {
  if (
    typeof userId !== 'string' ||
    userId === '' ||
    userId === '.' ||
    userId === '..' ||
    userId.length > 256 ||
    isForbiddenUserId(userId)
  ) {
    throw new ValidationError(`[s3] user id ${JSON.stringify(userId)} cannot name a folder`, {
      field: 'userId',
    })
  }
  const prefix = options.prefix === '' ? [] : options.prefix.split('/').map(encodeSegment)
  return [...prefix, encodeSegment(userId)].join('/')
}

/** The URL of an encoded object key (or the bucket when `key` is empty), checked to stay under `folder`. */
export function objectUrl(options: ResolvedOptions, folder: string, key: string, query = ''): string {
  const endpoint = new URL(options.endpoint)
  const base = options.pathStyle
    ? `${endpoint.origin}${endpoint.pathname.replace(/\/$/, '')}/${options.bucket}`
    : `${endpoint.protocol}//${options.bucket}.${endpoint.host}${endpoint.pathname.replace(/\/$/, '')}`
  const url = new URL(`${base}/${key}${query}`)
  const root = new URL(`${base}/`).pathname
  if (key !== '' && !url.pathname.startsWith(`${root}${folder}/`)) {
    throw new ValidationError(`[s3] object key leaves the user's folder`, { field: 'key' })
  }
  return url.toString()
}
