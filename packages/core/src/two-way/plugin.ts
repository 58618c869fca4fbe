import { AutoSyncError } from '../errors'
import { metadataStore } from '../storage/constants'
import { result, transact } from '../storage/request'
import { errorInfo } from '../sync/failures'
import type { AutoSync, Change, PullResult, SyncHost, SyncPlugin } from '../types'
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

/** Why the last `pull()` did not pull, as a sentence: never "undefined". */
function pullFailure(failure: unknown, lastError: string | undefined): AutoSyncError {
  if (AutoSyncError.isInstance(failure)) return failure
  const reason =
    failure instanceof Error
      ? failure.message
      : (lastError ?? 'the attempt ended before it pulled (a stop or a user switch aborted it)')
  return new AutoSyncError(`[autosync] [two-way] pull failed: ${reason}`, { code: 'pull-failed', cause: failure })
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
    setup(autoSync: AutoSync, host?: SyncHost) {
      if (!host) {
        throw new AutoSyncError(
          '[autosync] [two-way] twoWay() extends an engine: pass it in createAutoSync({ plugins }) or autoSync.use(), not call its setup() yourself',
          { code: 'two-way-needs-engine' },
        )
      }
      const { adapter, storage } = autoSync
      if (!adapter.pull || !adapter.capabilities.pull) {
        throw new AutoSyncError(
          `[autosync] [two-way] the "${adapter.name}" adapter cannot pull (no pull() or capability pull), so twoWay() cannot sync in both directions; use it with an adapter that pulls`,
          { code: 'pull-unsupported' },
        )
      }
      const access = host.storage
      if (!access) {
        throw new AutoSyncError(
          `[autosync] [two-way] twoWay() writes pulled records in its own transactions and needs a storage from openStorage() of @autosync/core; "${storage.name}" is not one`,
          { code: 'storage-not-extensible' },
        )
      }
      let totals = { applied: 0, conflicts: 0 }
      let failure: unknown
      let pulled = false

      const pullCycle = async (context: Parameters<typeof pullAll>[1]) => {
        pulled = false
        try {
          const outcome = await pullAll({ autoSync, host, access, resolve, pageSize }, context)
          totals.applied += outcome.applied
          totals.conflicts += outcome.conflicts
          pulled = true
          return outcome.queued
        } catch (error) {
          failure = error
          if (!context.signal.aborted) host.emit({ type: 'pull-failed', error: errorInfo(error, host.clock.now()) })
          throw error
        }
      }
      const pull = async (): Promise<PullResult> => {
        totals = { applied: 0, conflicts: 0 }
        failure = undefined
        pulled = false
        // One attempt pushes then pulls; in a follower tab the leader runs it (only the leader pulls).
        await autoSync.syncNow()
        if (pulled || (host.started && !host.isLeader())) return totals
        throw pullFailure(failure, autoSync.getStatus().lastError?.message)
      }
      const dispose = host.extend({
        name: 'two-way',
        // A push names revisions by change id; the records they belong to are read in one transaction.
        beforePush: (changes: Change[]) =>
          transact(access.database, 'bases', metadataStore, 'readonly', async (transaction) => {
            const store = transaction.objectStore(metadataStore)
            const bases = await Promise.all(
              changes.map((change) => result(store.get(revisionKey(change.table, change.key)))),
            )
            changes.forEach((change, index) => {
              change.baseRevision = (bases[index] as string | undefined) ?? null
            })
          }),
        async afterPush(pushResult, pushed) {
          const revisions = pushResult?.revisions ?? {}
          const known = pushed.filter((change) => typeof revisions[change.changeId] === 'string')
          if (known.length === 0) return
          await transact(access.database, 'revisions', metadataStore, 'readwrite', (transaction) => {
            // Also under a newer pending edit: its push is then based on this device's own last write.
            for (const change of known) {
              transaction
                .objectStore(metadataStore)
                .put(revisions[change.changeId], revisionKey(change.table, change.key))
            }
          })
        },
        pullCycle,
        pullFirst: !adapter.capabilities.conditionalWrites,
        pull,
        async restore(restoreOptions) {
          const outcome = await restoreBackup(autoSync, host, access, restoreOptions)
          await pull()
          return outcome
        },
      })

      let unsubscribe: (() => void) | undefined
      const subscribeLive = () => {
        unsubscribe?.()
        unsubscribe = undefined
        if (options.live === false || !adapter.subscribe || !adapter.capabilities.live || !host.started) return
        if (!host.isLeader()) return
        const controller = new AbortController()
        const stop = adapter.subscribe(
          { signal: controller.signal, userId: host.userId, clientId: storage.clientId, logger: host.logger },
          host.requestPull,
        )
        unsubscribe = () => {
          controller.abort()
          stop()
        }
      }
      const onVisible = () => {
        if (document.visibilityState === 'visible') host.requestPull()
      }
      const offLeader = autoSync.on('leader-changed', subscribeLive)
      const offUser = autoSync.on('user-switched', () => {
        subscribeLive()
        host.requestPull()
      })
      globalThis.document?.addEventListener('visibilitychange', onVisible)
      host.requestPull()
      subscribeLive()
      return () => {
        offLeader()
        offUser()
        unsubscribe?.()
        globalThis.document?.removeEventListener('visibilitychange', onVisible)
        dispose()
      }
    },
  }
}
