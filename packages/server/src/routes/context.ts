import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SyncServerLimits } from '../limits'
import type { HintHub } from '../live/hint-hub'
import type { SyncStore } from '../store/sync-store'

/** What a route handler gets for one authenticated request. */
export interface RouteContext {
  request: IncomingMessage
  response: ServerResponse
  query: string
  userId: string
  store: SyncStore
  limits: SyncServerLimits
  /** The server clock, in milliseconds since the epoch. */
  now(): number
  /** Called after a push of `clientId` was answered (its batch committed). */
  pushed(clientId: string): void
  /** This instance's `/events` streams. */
  live: HintHub
  backupId?: string
  /** Backups being stored on this instance: `enter` is false when `maxConcurrentBackups` are. */
  backups: { enter(): boolean; leave(): void }
}
