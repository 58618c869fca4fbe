import { type Channel, openChannel } from '../runtime/channel'
import type { Logger, SyncStatus } from '../types'

export type TabMessage =
  | { type: 'status'; userId: string | null; status: SyncStatus }
  | { type: 'hello'; userId: string | null }
  /** `seq`: the follower's latest capture, which the leader's sync must include. */
  | { type: 'sync-now'; userId: string | null; id: string; seq: number }
  /** The leader finished (or failed) the sync that request `id` asked for. */
  | { type: 'synced'; userId: string | null; id: string }
  /** A tab took the lead: followers repeat the requests still waiting. */
  | { type: 'leader'; userId: string | null }

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
  const page = globalThis.document as Document | undefined
  page?.addEventListener('freeze', resign)
  page?.addEventListener('resume', request)
  request()
  return () => {
    page?.removeEventListener('freeze', resign)
    page?.removeEventListener('resume', request)
    resign()
  }
}

const isTabMessage = (data: unknown): data is TabMessage =>
  typeof data === 'object' && data !== null && typeof (data as TabMessage).type === 'string'

export interface TabHooks {
  database: string
  logger: Logger
  userId(): string | null
  status(): SyncStatus
  onLeader(isLeader: boolean): void
  /** A follower received the leader's status. */
  onLeaderStatus(status: SyncStatus): void
  /** The leader was asked by a follower to sync now; the follower hears back when this settles. */
  onSyncNowRequest(seq: number): Promise<void>
}

export type Tabs = ReturnType<typeof createTabs>

/** One uploader per database and user: the Web Lock election plus the channel followers and the leader talk on. */
export function createTabs(hooks: TabHooks) {
  let leading = false
  let resign: (() => void) | undefined
  let channel: Channel<TabMessage> | undefined
  /** This follower's sync-now requests still waiting for the leader, by id: each resolves `true` once it synced. */
  const waiting = new Map<string, (synced: boolean) => void>()
  let askedSeq = 0
  const post = (message: TabMessage) => channel?.post(message)
  const userId = hooks.userId
  const hello = () => post({ type: 'hello', userId: userId() })
  const ask = (id: string) => post({ type: 'sync-now', userId: userId(), id, seq: askedSeq })
  /** Settles every waiting request: on leaving, or on taking the lead (this tab then syncs itself). */
  const release = () => {
    for (const resolve of waiting.values()) resolve(false)
    waiting.clear()
  }
  const onMessage = (message: TabMessage) => {
    if (message.userId !== userId()) return
    const { type } = message
    if (type === 'status' && !leading) hooks.onLeaderStatus(message.status)
    if (type === 'hello' && leading) post({ type: 'status', userId: message.userId, status: hooks.status() })
    if (type === 'sync-now' && leading) {
      const done = () => post({ type: 'synced', userId: message.userId, id: message.id })
      hooks.onSyncNowRequest(message.seq).then(done, done)
    }
    if (type === 'synced') {
      waiting.get(message.id)?.(true)
      waiting.delete(message.id)
    }
    if (type === 'leader' && !leading) for (const id of waiting.keys()) ask(id)
  }
  const tabs = {
    isLeader: () => leading,
    /** Joins the election of the current user (leaving the previous one). */
    join(): void {
      tabs.leave()
      // Without Web Locks every instance leads, so there is nobody to talk to.
      channel = locksOf() && openChannel(`autosync-engine:${hooks.database}`, hooks.logger, isTabMessage, onMessage)
      resign = electLeader(`autosync:${hooks.database}:${userId()}`, (next) => {
        if (next === leading) return
        leading = next
        if (next) {
          release()
          post({ type: 'leader', userId: userId() })
        } else hello()
        hooks.onLeader(next)
      })
      if (!leading) hello()
    },
    leave(): void {
      release()
      resign?.()
      resign = undefined
      channel?.close()
      channel = undefined
    },
    publish(status: SyncStatus): void {
      if (leading) post({ type: 'status', userId: userId(), status })
    },
    /** Asks the leader to sync now; resolves `true` once that sync settled, `false` if this tab left or took the lead first. */
    requestSyncNow(seq: number): Promise<boolean> {
      askedSeq = Math.max(askedSeq, seq)
      // Without a channel the request cannot reach the leader: as before, the follower leaves the sync to it.
      if (!channel) return Promise.resolve(true)
      const id = Math.random().toString(36).slice(2)
      return new Promise((resolve) => {
        waiting.set(id, resolve)
        ask(id)
      })
    },
  }
  return tabs
}
