import { AutoSyncError } from '../errors'
import { browserNetwork, consoleLogger, mathRandom, systemClock } from '../runtime/defaults'
import { internals } from '../runtime/internals'
import type { AutoSync, AutoSyncOptions, StorageSchema, SyncPlugin } from '../types'
import { assertValidEngineOptions } from '../validation/engine-options'
import { exponentialBackoff } from './backoff'
import { backupSnapshot } from './backup'
import { watchCaptures } from './captures'
import { type Engine, type EngineState, freshUserState, metadataKey, openBurst } from './engine'
import { createTabs } from './leader'
import { createLifecycle } from './lifecycle'
import { createPendingCounter } from './pending-counter'
import { skipReason } from './push'
import { planNextSync } from './schedule'
import { createStatusStore } from './status-store'
import { switchUser } from './switch-user'
import { createSyncRun } from './sync-run'

/** `pull()` and `restore()` come with the `twoWay()` plugin of `@autosync/core/two-way`. */
const notEnabled = (name: string) =>
  Promise.reject(new AutoSyncError(`[autosync] ${name}() needs twoWay()`, { code: `${name}-not-enabled` }))

/** Longest random wait before the sync that follows a reconnect, so tabs and devices do not all hit the backend at once. */
const reconnectJitterMs = 1_000

/**
 * The sync engine: buffers captured changes, pushes them through the adapter with throttle, backoff, a
 * circuit breaker and an offline pause, one uploading tab per database and user.
 * @example const autoSync = createAutoSync({ storage, adapter, userId: 'u1' }); await autoSync.start()
 */
export function createAutoSync<S extends StorageSchema>(appOptions: AutoSyncOptions<S>): AutoSync {
  // The engine handles every table alike; the schema type only checks the app's own calls.
  const options = appOptions as unknown as AutoSyncOptions
  // Development builds only: production bundles drop the check (and its bytes) with NODE_ENV folded in.
  if (typeof process !== 'undefined' && process.env.NODE_ENV !== 'production') assertValidEngineOptions(options)
  const { adapter, storage } = options
  const clock = options.clock ?? systemClock
  const random = options.random ?? mathRandom
  const network = options.network ?? browserNetwork
  const logger = options.logger ?? consoleLogger
  const settings = {
    bufferMs: options.bufferMs ?? 2_000,
    maxBufferMs: options.maxBufferMs ?? 10_000,
    minIntervalMs: options.minIntervalMs ?? 5_000,
    periodicSyncMs: options.periodicSyncMs ?? 60_000,
  }
  const plugins: SyncPlugin[] = []
  const teardowns = new Map<SyncPlugin, () => void>()
  const lifecycle = createLifecycle(logger)
  const state: EngineState = {
    userId: options.userId,
    started: false,
    inFlight: false,
    enabled: true,
    online: network.isOnline(),
    lastEndedAt: null,
    periodicFrom: 0,
    reconnectAt: null,
    latestSeq: 0,
    mirrored: false,
    ...freshUserState(),
  }
  let timer: unknown
  let detach: (() => void)[] = []
  let removeFilter: (() => void) | undefined

  /** What the engine itself says about its state; the rest of the status is set where it happens. */
  function ownStatus() {
    const plan = planNextSync(state, settings)
    const isLeader = tabs.isLeader()
    const { failures, pendingChanges } = state
    return {
      isEnabled: state.enabled && !state.breakerOpen,
      userId: state.userId,
      hasPendingSync: pendingChanges > 0 || state.burstFirst !== null,
      consecutiveFailures: failures,
      bufferedEvents: state.bufferedEvents,
      // An auth failure pauses without counting toward the breaker; it is still a failed attempt until a success.
      isRetrying: failures > 0 || state.authPaused,
      phase: plan.phase,
      pendingChanges,
      // A time already past means now: the status shows when the attempt really starts.
      nextSyncAt: isLeader && plan.at !== null ? Math.max(plan.at, clock.now()) : null,
      disabledUntil: state.disabledUntil,
      isOnline: state.online,
      isLeader,
    }
  }

  function refresh(): void {
    clock.clearTimeout(timer)
    timer = undefined
    const own = ownStatus()
    const at = own.nextSyncAt
    if (state.started && at !== null) timer = clock.setTimeout(() => onTimer(at), at - clock.now())
    // A follower shows the leader's status once it has heard from it.
    if (own.isLeader || !state.mirrored) status.set(own)
  }

  function onTimer(at: number): void {
    timer = undefined
    // The open breaker allows one trial attempt at its recovery time.
    if (state.disabledUntil !== null && at >= state.disabledUntil) state.disabledUntil = null
    void run.attempt(false)
  }

  const recount = createPendingCounter(
    storage,
    () => state.userId,
    () => state.latestSeq,
    ({ pending, deadLetters, coveredSeq }) => {
      // A count older than the latest capture may miss it: keep the capture's lower bound until the next count.
      state.pendingChanges = coveredSeq < state.latestSeq ? Math.max(pending, state.pendingChanges) : pending
      state.countedSeq = coveredSeq
      if (deadLetters !== undefined) status.set({ deadLetters })
      refresh()
    },
    logger,
  )

  const recountAll = () => recount()

  function onOnline(online: boolean): void {
    if (online === state.online) return
    state.online = online
    state.reconnectAt = online ? clock.now() + Math.round(random() * reconnectJitterMs) : null
    refresh()
  }

  const tabs = createTabs({
    database: storage.name,
    logger,
    userId: () => state.userId,
    status: () => status.get(),
    onLeaderStatus(leaderStatus) {
      state.mirrored = true
      status.set({ ...leaderStatus, isLeader: false })
    },
    onSyncNowRequest(seq) {
      // The follower's captures may reach this tab after its request: the sync includes them anyway.
      state.latestSeq = Math.max(state.latestSeq, seq)
      return run.attempt(true)
    },
    onLeader(isLeader) {
      state.mirrored = false
      emit({ type: 'leader-changed', isLeader })
      refresh()
      if (isLeader) void recount()
    },
  })

  // The seed's key order: the fields ownStatus() leaves out sit around it.
  const status = createStatusStore(
    Object.assign({ isEnabled: true, isInitialized: false, userId: state.userId, lastSyncTime: null }, ownStatus(), {
      lastError: null,
      progress: null,
      deadLetters: 0,
    }),
    logger,
  )
  const emit: Engine['emit'] = (event) => lifecycle.emit({ at: clock.now(), ...event } as never)
  const engine: Engine = {
    storage,
    clock,
    logger,
    plugins,
    state,
    status,
    tabs,
    emit,
    refresh,
    recount,
    skip(event) {
      const skipped = skipReason(plugins, event, { userId: state.userId, clientId: storage.clientId })
      if (!skipped) return false
      const [plugin, reason] = skipped
      emit({ type: 'change-skipped', table: event.table, key: event.key, plugin, reason })
      return reason
    },
    abort: () => run.abort(),
    async loadUser() {
      status.set({ lastSyncTime: (await storage.metadata.get<number>(metadataKey(state.userId))) ?? null })
      await recount()
      if (state.pendingChanges > 0) openBurst(state, clock.now())
    },
  }
  const run = createSyncRun(engine, options, {
    backoff: options.backoff ?? exponentialBackoff(),
    random,
    maxConsecutiveFailures: options.maxConsecutiveFailures ?? 5,
    recoveryMs: options.recoveryMs ?? 300_000,
  })

  function installFilter(): void {
    removeFilter ??= storage.addCaptureFilter((event) => {
      try {
        return engine.skip(event)
      } catch (error) {
        logger.error('[autosync] a plugin skip threw', error)
        return false
      }
    })
  }

  const setUp = (plugin: SyncPlugin) => {
    const teardown = !teardowns.has(plugin) && plugin.setup?.(autoSync)
    if (teardown) teardowns.set(plugin, teardown)
  }

  const onPageHide = () => {
    if (tabs.isLeader() && state.pendingChanges + state.bufferedEvents > 0) void run.attempt(true)
  }

  const autoSync: AutoSync = {
    storage,
    adapter,
    outbox: { summary: () => storage.outbox.summary({ userId: state.userId }) },
    deadLetters: {
      list: () => storage.deadLetters.list({ userId: state.userId }),
      retry: (id) => storage.deadLetters.retry(id).then(recountAll),
      discard: (id) => storage.deadLetters.discard(id).then(recountAll),
    },
    async start() {
      if (state.started) return
      installFilter()
      // `stop()` tore the plugins down: a restarted engine sets them up again.
      plugins.forEach(setUp)
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
      await engine.loadUser()
      Object.assign(state, { started: true, online: network.isOnline(), periodicFrom: clock.now() })
      status.set({ isInitialized: true })
      tabs.join()
      refresh()
      logger.info('Auto-sync service: Event listeners set up')
    },
    async stop(options) {
      if (state.started) {
        state.started = false
        for (const undo of detach) undo()
        detach = []
        removeFilter?.()
        removeFilter = undefined
        tabs.leave()
        await run.abort()
        for (const teardown of teardowns.values()) teardown()
        teardowns.clear()
        refresh()
      }
      // For good: the adapter releases what it holds (sockets, listeners) once the engine let go of it.
      if (options?.dispose) await adapter.dispose?.()
    },
    async syncNow() {
      // A follower waits for the leader's sync; if it leaves or takes the lead meanwhile, it syncs itself.
      if (state.started && !tabs.isLeader() && (await tabs.requestSyncNow(state.latestSeq))) return
      state.authPaused = false
      await run.attempt(true)
    },
    async backup() {
      const result = await backupSnapshot({
        storage,
        adapter,
        plugins,
        userId: state.userId,
        now: clock.now(),
        logger,
      })
      emit({ type: 'backup-succeeded', result })
      return result
    },
    setEnabled(enabled) {
      if (enabled === state.enabled && !(enabled && state.authPaused)) return
      state.enabled = enabled
      state.authPaused = false
      emit(
        enabled
          ? { type: 'sync-enabled', reason: 'manual' }
          : { type: 'sync-disabled', reason: 'manual', disabledUntil: null },
      )
      refresh()
    },
    // `twoWay()` replaces both while it is in use.
    pull: () => notEnabled('pull'),
    restore: () => notEnabled('restore'),
    switchUser: (next) => switchUser(engine, next),
    purgeUser: (purged) => storage.outbox.purgeUser(purged).then(recountAll),
    use(plugin) {
      plugins.push(plugin)
      setUp(plugin)
      return () => {
        const index = plugins.indexOf(plugin)
        if (index >= 0) plugins.splice(index, 1)
        teardowns.get(plugin)?.()
        teardowns.delete(plugin)
      }
    },
    getStatus: status.get,
    subscribe: status.subscribe,
    on: lifecycle.on as AutoSync['on'],
  }
  ;(autoSync as unknown as Record<symbol, Engine>)[internals] = engine
  status.subscribe((next) => tabs.publish(next))
  storage.setActiveUser(state.userId)
  installFilter()
  for (const plugin of options.plugins ?? []) autoSync.use(plugin)
  return autoSync
}
