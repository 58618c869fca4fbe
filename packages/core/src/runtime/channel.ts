import type { Logger } from '../types'

export interface Channel<T> {
  post(message: T): void
  close(): void
}

/**
 * A BroadcastChannel to the other tabs of this origin; `undefined` where the platform has none.
 * Messages that fail `accept` (another version's, or garbage) are ignored.
 */
export function openChannel<T>(
  name: string,
  logger: Logger,
  accept: (data: unknown) => data is T,
  receive: (message: T) => void,
): Channel<T> | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined
  const channel = new BroadcastChannel(name)
  // Node keeps the process alive for an open channel; a storage or engine should not.
  ;(channel as { unref?: () => void }).unref?.()
  channel.onmessage = (event: MessageEvent) => {
    if (accept(event.data)) receive(event.data)
  }
  return {
    post(message) {
      try {
        channel.postMessage(message)
      } catch (error) {
        logger.warn(
          `[autosync] [tabs] could not post to other tabs on "${name}"; they catch up on their next read`,
          error,
        )
      }
    },
    close: () => channel.close(),
  }
}
