import type { SyncStatus } from '../types'

export type TabMessage =
  | { type: 'status'; userId: string | null; status: SyncStatus }
  | { type: 'hello'; userId: string | null }
  | { type: 'sync-now'; userId: string | null }

interface LockManagerLike {
  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown>
}

/**
 * Holds the Web Lock `name` while this tab leads; where Web Locks are missing (Node) this instance leads at once.
 * A frozen tab gives the lock up so another tab takes over. Returns a function that resigns.
 */
export function electLeader(name: string, onChange: (isLeader: boolean) => void): () => void {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks
  if (!locks) {
    onChange(true)
    return () => onChange(false)
  }
  let controller: AbortController | undefined
  let release: (() => void) | undefined
  const request = () => {
    const current = new AbortController()
    controller = current
    locks
      .request(name, { signal: current.signal }, () => {
        if (current.signal.aborted) return Promise.resolve()
        onChange(true)
        return new Promise<void>((resolve) => {
          release = () => {
            release = undefined
            onChange(false)
            resolve()
          }
        })
      })
      .catch(() => {})
  }
  const resign = () => {
    controller?.abort()
    release?.()
  }
  const onFreeze = () => resign()
  const onResume = () => request()
  const page = typeof document === 'undefined' ? undefined : document
  page?.addEventListener('freeze', onFreeze)
  page?.addEventListener('resume', onResume)
  request()
  return () => {
    page?.removeEventListener('freeze', onFreeze)
    page?.removeEventListener('resume', onResume)
    resign()
  }
}

/** The tabs' channel for one database, or `undefined` where BroadcastChannel is missing. */
export function openTabChannel(name: string, onMessage: (message: TabMessage) => void) {
  if (typeof BroadcastChannel === 'undefined') return undefined
  const channel = new BroadcastChannel(name)
  channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data)
  return channel
}
