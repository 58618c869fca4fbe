import { AutoSyncError } from '../errors'
import { engineInternals, storageInternals } from '../runtime/internals'
import { metadataStore } from '../storage/constants'
import { result, transact } from '../storage/request'
import type { Engine } from '../sync/engine'
import { errorInfo } from '../sync/failures'
import type { AutoSync, Change, PullResult, SyncPlugin } from '../types'
import type { StorageInternals } from './internals'
import { pullAll } from './pull-cycle'
import { type ConflictResolver, lastWriteWins } from './resolvers'
import { restoreBackup } from './restore'
import { revisionKey } from './revisions'

export interface TwoWayOptions {
  /** Settles a remote change that meets a pending local one. Default `lastWriteWins()`. */
  resolve?: ConflictResolver
  /** Remote changes per pulled page, each applied in one IndexedDB transaction. Default 500. */
  pageSize?: number
  /** Pull when the adapter hints at new changes (`subscribe`, capability `live`). Default true. */
  live?: boolean
}

/**
 * Two-way sync as a plugin: pulls after start, after every push, periodically, on reconnect, when the page becomes
 * visible and on live hints; resolves conflicts with `resolve`; enables `autoSync.pull()` and `restore()`.
 * @example createAutoSync({ storage, adapter, userId, plugins: [twoWay({ resolve: mergeFields() })] })
 */
export function twoWay(options: TwoWayOptions = {}): SyncPlugin {
  const resolve = options.resolve ?? lastWriteWins()
  const pageSize = options.pageSize ?? 500
  return {
    name: 'two-way',
    setup(autoSync: AutoSync) {
      const engine = (autoSync as unknown as Record<symbol, Engine>)[engineInternals]
      const internals = (autoSync.storage as unknown as Record<symbol, StorageInternals>)[storageInternals]
      if (!engine || !internals) throw new AutoSyncError('[autosync] [two-way] needs an engine from createAutoSync')
      const { adapter } = autoSync
      if (!adapter.pull || !adapter.capabilities.pull) {
        throw new AutoSyncError(`[autosync] [two-way] the "${adapter.name}" adapter cannot pull`)
      }
      const { state, clock, storage } = engine
      const database = internals.database
      const totals = { applied: 0, conflicts: 0 }
      let failure: unknown
      let pulled = false

      const requestPull = () => {
        state.pullAt = clock.now()
        engine.refresh()
      }
      // A push names revisions by change id; the records they belong to are remembered per batch.
      let pushed: Change[] = []
      engine.beforePush = (changes) =>
        transact(database, 'two-way.bases', metadataStore, 'readonly', async (transaction) => {
          pushed = changes
          const store = transaction.objectStore(metadataStore)
          const bases = await Promise.all(
            changes.map((change) => result(store.get(revisionKey(change.table, change.key)))),
          )
          changes.forEach((change, index) => {
            change.baseRevision = (bases[index] as string | undefined) ?? null
          })
        })
      engine.afterPush = async (pushResult) => {
        const revisions = pushResult?.revisions
        const byId = new Map(pushed.map((change) => [change.changeId, change]))
        const known = Object.entries(revisions ?? {}).filter(
          ([changeId, revision]) => byId.has(changeId) && typeof revision === 'string',
        )
        if (known.length === 0) return
        await transact(database, 'two-way.revisions', metadataStore, 'readwrite', (transaction) => {
          const store = transaction.objectStore(metadataStore)
          // Also under a newer pending edit: its push is then based on this device's own last write.
          for (const [changeId, revision] of known) {
            const change = byId.get(changeId)!
            store.put(revision, revisionKey(change.table, change.key))
          }
        })
      }
      engine.pull = async (context) => {
        pulled = false
        try {
          const outcome = await pullAll({ engine, internals, adapter, resolve, pageSize }, context)
          totals.applied += outcome.applied
          totals.conflicts += outcome.conflicts
          pulled = true
          return outcome.queued
        } catch (error) {
          failure = error
          if (!context.signal.aborted) engine.emit({ type: 'pull-failed', error: errorInfo(error, clock.now()) })
          throw error
        }
      }
      engine.pullNow = async (): Promise<PullResult> => {
        const before = { ...totals }
        failure = undefined
        pulled = false
        // One attempt pushes then pulls; in a follower tab the leader runs it (only the leader pulls).
        await autoSync.syncNow()
        if (state.started && !engine.tabs.isLeader()) return { applied: 0, conflicts: 0 }
        if (!pulled) {
          throw AutoSyncError.isInstance(failure)
            ? failure
            : new AutoSyncError(`[autosync] pull failed: ${engine.status.get().lastError?.message}`, {
                cause: failure,
                code: 'pull-failed',
              })
        }
        return { applied: totals.applied - before.applied, conflicts: totals.conflicts - before.conflicts }
      }
      engine.restore = async (restoreOptions) => {
        const outcome = await restoreBackup(engine, internals, adapter, restoreOptions)
        await engine.pullNow!()
        return outcome
      }

      let unsubscribe: (() => void) | undefined
      const subscribeLive = () => {
        unsubscribe?.()
        unsubscribe = undefined
        if (options.live === false || !adapter.subscribe || !adapter.capabilities.live || !state.started) return
        if (!engine.tabs.isLeader()) return
        const controller = new AbortController()
        const stop = adapter.subscribe(
          { signal: controller.signal, userId: state.userId, clientId: storage.clientId, logger: engine.logger },
          requestPull,
        )
        unsubscribe = () => {
          controller.abort()
          stop()
        }
      }
      const onVisible = () => {
        if (document.visibilityState === 'visible') requestPull()
      }
      const offLeader = autoSync.on('leader-changed', subscribeLive)
      const offUser = autoSync.on('user-switched', () => {
        subscribeLive()
        requestPull()
      })
      if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisible)
      state.pulls = true
      engine.pullFirst = !adapter.capabilities.conditionalWrites
      requestPull()
      subscribeLive()
      return () => {
        offLeader()
        offUser()
        unsubscribe?.()
        if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisible)
        state.pulls = false
        state.pullAt = null
        for (const hook of ['beforePush', 'afterPush', 'pull', 'pullFirst', 'pullNow', 'restore'] as const)
          delete engine[hook]
      }
    },
  }
}
