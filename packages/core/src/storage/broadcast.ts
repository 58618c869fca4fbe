import { openChannel } from '../runtime/channel'
import type { Logger, StorageEvent } from '../types'

/** One message per committed transaction. */
export interface TabMessage {
  events: StorageEvent[]
  /** Latest captured version, when the transaction captured anything. */
  seq?: number
  userIds: (string | null)[]
}

const isTabMessage = (data: unknown): data is TabMessage =>
  typeof data === 'object' && data !== null && Array.isArray((data as TabMessage).events)

/** BroadcastChannel `autosync:<database>`; `undefined` where the platform has none. */
export const openTabChannel = (name: string, logger: Logger, receive: (message: TabMessage) => void) =>
  openChannel(`autosync:${name}`, logger, isTabMessage, receive)
