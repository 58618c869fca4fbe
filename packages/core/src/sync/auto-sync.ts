import { AutoSyncError } from '../errors'
import { internals } from '../runtime/internals'
import type { AutoSync, AutoSyncOptions, StorageAccess, StorageSchema } from '../types'
import { assertValidEngineOptions } from '../validation/engine-options'
import { backupSnapshot } from './backup'
import { watchCaptures } from './captures'
import { createEngine } from './create-engine'
import { createHost } from './host'
import { createPluginSet } from './plugin-set'
import { switchUser } from './switch-user'

/** `pull()` and `restore()` come with the `twoWay()` plugin of `@autosync/core/two-way`. */
const notEnabled = (name: string) =>
  Promise.reject(
    new AutoSyncError(`[autosync] [sync] ${name}() needs the twoWay() plugin from @autosync/core/two-way`, {
      code: `${name}-not-enabled`,
    }),
  )

/**
 * The sync engine: buffers captured changes, pushes them through the adapter with throttle, backoff, a
 * circuit breaker and an offline pause, one uploading tab per database and user.
 * @example const autoSync = createAutoSync({ storage, adapter, userId: 'u1' }); await autoSync.start()
 */
export function createAutoSync<S extends StorageSchema>(appOptions: AutoSyncOptions<S>): AutoSync {
  // The engine handles every table alike; the schema type only checks the app's own calls.
  const options = appOptions as unknown as AutoSyncOptions
  assertValidEngineOptions(options)
  const { adapter, storage } = options
  const plugins = createPluginSet(
    () => autoSync,
    () => host,
  )
  const { engine, attempts, lifecycle, network, loadUser, onOnline, recount } = createEngine(options, plugins.list)
  const { scheduler, tabs, clock, logger, emit } = engine
  const access = (storage as unknown as Record<symbol, StorageAccess | undefined>)[internals]
  const host = createHost(engine, access, attempts.abort)
  const recountAll = () => recount()
  let detach: (() => void)[] = []
  let removeFilter: (() => void) | undefined
  const installFilter = () => {
    removeFilter ??= storage.addCaptureFilter((event) => {
      try {
        return engine.skip(event)
      } catch (error) {
        logger.error('[autosync] [sync] a plugin skip rule threw; the change is queued as if it had not', error)
        return false
      }
    })
  }
  const onPageHide = () => {
    const { pendingChanges, bufferedEvents } = scheduler.state
    if (tabs.isLeader() && pendingChanges + bufferedEvents > 0) void attempts.attempt(true)
  }
  const extension = (method: 'pull' | 'restore') => engine.extensions.find(method)

  const autoSync: AutoSync = {
    storage,
    adapter,
    outbox: { summary: () => storage.outbox.summary({ userId: scheduler.state.userId }) },
    deadLetters: {
      list: () => storage.deadLetters.list({ userId: scheduler.state.userId }),
      retry: (id) => storage.deadLetters.retry(id).then(recountAll),
      discard: (id) => storage.deadLetters.discard(id).then(recountAll),
    },
    async start() {
      if (scheduler.state.started) return
      installFilter()
      // `stop()` tore the plugins down: a restarted engine sets them up again.
      plugins.setUpAll()
      detach = [
        watchCaptures(engine),
        network.subscribe(onOnline),
        storage.events.onAny((event) => {
          if (event.seq !== undefined) emit({ type: 'change-captured', event })
        }),
      ]
      // Browsers only (Node has no addEventListener on its global).
      globalThis.addEventListener?.('pagehide', onPageHide)
      detach.push(() => globalThis.removeEventListener?.('pagehide', onPageHide))
      await loadUser()
      scheduler.dispatch({ type: 'started', at: clock.now(), online: network.isOnline() })
      scheduler.report({ isInitialized: true })
      tabs.join()
      scheduler.refresh()
      logger.info('Auto-sync service: Event listeners set up')
    },
    async stop(stopOptions) {
      if (scheduler.state.started) {
        scheduler.dispatch({ type: 'stopped' })
        for (const undo of detach) undo()
        detach = []
        removeFilter?.()
        removeFilter = undefined
        tabs.leave()
        await attempts.abort()
        plugins.tearDownAll()
        scheduler.refresh()
      }
      // For good: the adapter releases what it holds (sockets, listeners) once the engine let go of it.
      if (stopOptions?.dispose) await adapter.dispose?.()
    },
    async syncNow() {
      const { started, latestSeq } = scheduler.state
      // A follower waits for the leader's sync; if it leaves or takes the lead meanwhile, it syncs itself.
      if (started && !tabs.isLeader() && (await tabs.requestSyncNow(latestSeq))) return
      scheduler.dispatch({ type: 'auth-resumed' })
      await attempts.attempt(true)
    },
    async backup() {
      const { userId } = scheduler.state
      const result = await backupSnapshot({ storage, adapter, plugins: plugins.list, userId, now: clock.now(), logger })
      emit({ type: 'backup-succeeded', result })
      return result
    },
    setEnabled(enabled) {
      const { enabled: current, authPaused } = scheduler.state
      if (enabled === current && !(enabled && authPaused)) return
      scheduler.dispatch({ type: 'enabled-changed', enabled })
      emit(
        enabled
          ? { type: 'sync-enabled', reason: 'manual' }
          : { type: 'sync-disabled', reason: 'manual', disabledUntil: null },
      )
    },
    pull: () => extension('pull')?.pull?.() ?? notEnabled('pull'),
    restore: (restoreOptions) => extension('restore')?.restore?.(restoreOptions) ?? notEnabled('restore'),
    switchUser: (next) => switchUser(engine, next, attempts.abort, loadUser),
    purgeUser: (purged) => storage.outbox.purgeUser(purged).then(recountAll),
    use: plugins.use,
    getStatus: scheduler.status,
    subscribe: scheduler.subscribe,
    on: lifecycle.on as AutoSync['on'],
  }
  scheduler.subscribe((next) => tabs.publish(next))
  storage.setActiveUser(scheduler.state.userId)
  installFilter()
  for (const plugin of options.plugins ?? []) autoSync.use(plugin)
  return autoSync
}
