import { AutoSyncError } from '../errors'
import { internals as internalsKey } from '../runtime/internals'
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
      const engine = (autoSync as unknown as Record<symbol, Engine>)[internalsKey]!
      const internals = (autoSync.storage as unknown as Record<symbol, StorageInternals>)[internalsKey]!
      const { adapter } = autoSync
      if (!adapter.pull || !adapter.capabilities.pull) {
        throw new AutoSyncError(`[autosync] ${adapter.name} cannot pull`)
      }
      const { state, clock, storage } = engine
      const database = internals.database
      let totals = { applied: 0, conflicts: 0 }
      let failure: unknown
      let pulled = false

      const requestPull = () => {
        state.pullAt = clock.now()
        engine.refresh()
      }
      // A push names revisions by change id; the records they belong to are remembered per batch.
      let pushed: Change[] = []
      engine.beforePush = (changes) =>
        transact(database, 'bases', metadataStore, 'readonly', async (transaction) => {
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
        const revisions = pushResult?.revisions ?? {}
        const known = pushed.filter((change) => typeof revisions[change.changeId] === 'string')
        if (known.length > 0)
          await transact(database, 'revisions', metadataStore, 'readwrite', (transaction) => {
            // Also under a newer pending edit: its push is then based on this device's own last write.
            for (const change of known)
              transaction
                .objectStore(metadataStore)
                .put(revisions[change.changeId], revisionKey(change.table, change.key))
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
      const pull = async (): Promise<PullResult> => {
        totals = { applied: 0, conflicts: 0 }
        failure = pulled = false
        // One attempt pushes then pulls; in a follower tab the leader runs it (only the leader pulls).
        await autoSync.syncNow()
        if (pulled || (state.started && !engine.tabs.isLeader())) return totals
        throw AutoSyncError.isInstance(failure)
          ? failure
          : new AutoSyncError(`[autosync] pull failed: ${engine.status.get().lastError?.message}`, {
              code: 'pull-failed',
            })
      }
      const restore: AutoSync['restore'] = async (restoreOptions) => {
        const outcome = await restoreBackup(engine, internals, adapter, restoreOptions)
        await pull()
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
      globalThis.document?.addEventListener('visibilitychange', onVisible)
      const original = { pull: autoSync.pull, restore: autoSync.restore }
      Object.assign(autoSync, { pull, restore })
      state.pulls = true
      engine.pullFirst = !adapter.capabilities.conditionalWrites
      requestPull()
      subscribeLive()
      return () => {
        offLeader()
        offUser()
        unsubscribe?.()
        globalThis.document?.removeEventListener('visibilitychange', onVisible)
        state.pulls = false
        state.pullAt = null
        Object.assign(autoSync, original)
        for (const hook of ['beforePush', 'afterPush', 'pull', 'pullFirst'] as const) delete engine[hook]
      }
    },
  }
}
