import type { SyncStatus } from '../types'

export type TabMessage =
  | { type: 'status'; userId: string | null; status: SyncStatus }
  | { type: 'hello'; userId: string | null }
  | { type: 'sync-now'; userId: string | null }

interface LockManagerLike {
  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown>
}

const locksOf = () => (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks

/**
 * Holds the Web Lock `name` while this tab leads; where Web Locks are missing (Node) this instance leads at once.
 * A frozen tab gives the lock up so another tab takes over. Returns a function that resigns.
 */
export function electLeader(name: string, onChange: (isLeader: boolean) => void): () => void {
  const locks = locksOf()
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

/** The engines' channel for one database; `undefined` without Web Locks (every instance leads) or BroadcastChannel. */
export function openTabChannel(name: string, onMessage: (message: TabMessage) => void) {
  if (typeof BroadcastChannel === 'undefined' || !locksOf()) return undefined
  const channel = new BroadcastChannel(name)
  channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data)
  return channel
}

export interface TabHooks {
  database: string
  userId(): string | null
  status(): SyncStatus
  onLeader(isLeader: boolean): void
  /** A follower received the leader's status. */
  onLeaderStatus(status: SyncStatus): void
  /** The leader was asked by a follower to sync now. */
  onSyncNowRequest(): void
}

/** One uploader per database and user: the Web Lock election plus the channel followers and the leader talk on. */
export function createTabs(hooks: TabHooks) {
  let leading = false
  let resign: (() => void) | undefined
  let channel: BroadcastChannel | undefined
  const post = (message: TabMessage) => channel?.postMessage(message)
  const hello = () => post({ type: 'hello', userId: hooks.userId() })
  const onMessage = (message: TabMessage) => {
    if (message.userId !== hooks.userId()) return
    if (message.type === 'status' && !leading) hooks.onLeaderStatus(message.status)
    if (message.type === 'hello' && leading) post({ type: 'status', userId: message.userId, status: hooks.status() })
    if (message.type === 'sync-now' && leading) hooks.onSyncNowRequest()
  }
  const tabs = {
    isLeader: () => leading,
    /** Joins the election of the current user (leaving the previous one). */
    join(): void {
      tabs.leave()
      channel = openTabChannel(`autosync-engine:${hooks.database}`, onMessage)
      resign = electLeader(`autosync:${hooks.database}:${hooks.userId()}`, (next) => {
        if (next === leading) return
        leading = next
        if (!next) hello()
        hooks.onLeader(next)
      })
      if (!leading) hello()
    },
    leave(): void {
      resign?.()
      resign = undefined
      channel?.close()
      channel = undefined
    },
    publish(status: SyncStatus): void {
      if (leading) post({ type: 'status', userId: hooks.userId(), status })
    },
    requestSyncNow: () => post({ type: 'sync-now', userId: hooks.userId() }),
  }
  return tabs
}
