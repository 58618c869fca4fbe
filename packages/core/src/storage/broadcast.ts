import type { Logger, StorageEvent } from '../types'

/** One message per committed transaction. */
export interface TabMessage {
  events: StorageEvent[]
  /** Latest captured version, when the transaction captured anything. */
  seq?: number
  userIds: (string | null)[]
}

export interface TabChannel {
  post(message: TabMessage): void
  close(): void
}

/** BroadcastChannel `autosync:<database>`; `undefined` where the platform has none. */
export function openTabChannel(
  name: string,
  logger: Logger,
  receive: (message: TabMessage) => void,
): TabChannel | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined
  const channel = new BroadcastChannel(`autosync:${name}`)
  // Node keeps the process alive for an open channel; a storage should not.
  ;(channel as { unref?: () => void }).unref?.()
  channel.onmessage = (message: MessageEvent<TabMessage>) => {
    const data = message.data
    if (typeof data === 'object' && data !== null && Array.isArray(data.events)) receive(data)
  }
  return {
    post(message) {
      try {
        channel.postMessage(message)
      } catch (error) {
        logger.warn('[autosync] [storage] could not post events to other tabs', error)
      }
    },
    close: () => channel.close(),
  }
}
