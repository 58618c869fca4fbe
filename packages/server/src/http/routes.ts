import { isValidBackupId } from '../validation/backup-body'
import { HttpError } from './http-error'

export type RouteName = 'push' | 'pull' | 'events' | 'backup' | 'backup-latest' | 'backup-by-id' | 'health'

export interface MatchedRoute {
  name: RouteName
  methods: readonly string[]
  backupId?: string
}

const fixedRoutes: Record<string, MatchedRoute> = {
  '/push': { name: 'push', methods: ['POST'] },
  '/pull': { name: 'pull', methods: ['GET'] },
  '/events': { name: 'events', methods: ['GET'] },
  '/backup': { name: 'backup', methods: ['POST'] },
  '/backup/latest': { name: 'backup-latest', methods: ['GET'] },
  '/health': { name: 'health', methods: ['GET'] },
}

/**
 * Matches the raw request path exactly (no normalization, so `/push/../pull` or `//push` match nothing);
 * the one parameter, a backup id, is decoded once and checked like a record key.
 */
export function matchRoute(rawPath: string): MatchedRoute | null {
  const fixed = Object.hasOwn(fixedRoutes, rawPath) ? fixedRoutes[rawPath] : undefined
  if (fixed) return fixed
  const match = /^\/backup\/([^/]+)$/.exec(rawPath)
  if (!match) return null
  let backupId: string
  try {
    backupId = decodeURIComponent(match[1]!)
  } catch {
    throw new HttpError(400, 'invalid-path', 'backup id is not valid percent-encoding')
  }
  if (!isValidBackupId(backupId)) throw new HttpError(400, 'invalid-path', 'backup id is not valid')
  return { name: 'backup-by-id', methods: ['GET'], backupId }
}

/** Splits `request.url` into its raw path and query string. */
export function splitUrl(url: string | undefined): { path: string; query: string } {
  const value = url ?? '/'
  const index = value.indexOf('?')
  return index === -1 ? { path: value, query: '' } : { path: value.slice(0, index), query: value.slice(index + 1) }
}
