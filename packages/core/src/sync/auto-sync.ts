import { AdapterError } from '../errors'
import type {
  AutoSync,
  AutoSyncOptions,
  StorageLifecycleEvent,
  SyncErrorInfo,
  SyncLifecycleEvent,
  SyncPlugin,
  SyncStatus,
} from '../types'
import { exponentialBackoff } from './backoff'
import { backupSnapshot } from './backup'
import { afterFailure, errorInfo, type FailurePolicy } from './failures'
import { createTabs } from './leader'
import { createLifecycle } from './lifecycle'
import { createPendingCounter } from './pending-counter'
import { pushBacklog, skipReason } from './push'
import { browserNetwork, consoleLogger, mathRandom, systemClock } from './runtime-defaults'
import { planNextSync, type ScheduleState } from './schedule'
import { createStatusStore, initialStatus } from './status-store'

const log = 'Auto-sync service:'
/** Longest random wait before the sync that follows a reconnect, so tabs and devices do not all hit the backend at once. */
const reconnectJitterMs = 1_000
/** Least time between two outbox counts caused by captures (each count reads the persisted outbox). */
const countIntervalMs = 250

/**
 * The sync engine: buffers captured changes, pushes them through the adapter with throttle, backoff, a
 * circuit breaker and an offline pause, one uploading tab per database and user.
 * @example const autoSync = createAutoSync({ storage, adapter, userId: 'u1' }); await autoSync.start()
 */
export function createAutoSync(options: AutoSyncOptions): AutoSync {
  const { adapter } = options
  const storage = options.storage as AutoSync['storage']
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
  const policy: FailurePolicy = {
    backoff: options.backoff ?? exponentialBackoff(),
    random,
    maxConsecutiveFailures: options.maxConsecutiveFailures ?? 5,
    recoveryMs: options.recoveryMs ?? 300_000,
  }
  const plugins: SyncPlugin[] = []
  const teardowns = new Map<SyncPlugin, () => void>()
  const lifecycle = createLifecycle(logger)
  let userId = options.userId
  const status = createStatusStore(initialStatus(userId, network.isOnline()), logger)
  const state: ScheduleState = {
    started: false,
    inFlight: false,
    enabled: true,
    online: network.isOnline(),
    authPaused: false,
    burstFirst: null,
    burstLast: null,
    lastEndedAt: null,
    periodicFrom: 0,
    retryAt: null,
    disabledUntil: null,
    reconnectAt: null,
    pendingChanges: 0,
  }
  let failures = 0
  let breakerOpen = false
  let bufferedEvents = 0
  let latestSeq = 0
  let mirrored = false
  let countedAt = Number.NEGATIVE_INFINITY
  let countTimer: unknown
  let timer: unknown
  let flight: Promise<void> | undefined
  let controller: AbortController | undefined
  let detach: (() => void)[] = []
  let removeFilter: (() => void) | undefined

  const emit = (event: SyncLifecycleEvent) => lifecycle.emit(event)
  const metadataKey = () => `autosync.lastSyncTime.${userId}`

  /** Recomputes the plan, arms the one timer and publishes the status. */
  function refresh(): void {
    clock.clearTimeout(timer)
    timer = undefined
    const plan = planNextSync(state, settings)
    const isLeader = tabs.isLeader()
    // A time already past means now: the status shows when the attempt really starts.
    const at = plan.at === null ? null : Math.max(plan.at, clock.now())
    if (state.started && isLeader && at !== null) timer = clock.setTimeout(() => onTimer(at), at - clock.now())
    const own: Partial<SyncStatus> = {
      isEnabled: state.enabled && !breakerOpen,
      userId,
      hasPendingSync: state.pendingChanges > 0 || state.burstFirst !== null,
      consecutiveFailures: failures,
      bufferedEvents,
      isRetrying: failures > 0,
      phase: plan.phase,
      pendingChanges: state.pendingChanges,
      nextSyncAt: isLeader ? at : null,
      disabledUntil: state.disabledUntil,
      isOnline: state.online,
    }
    // A follower shows the leader's status once it has heard from it.
    if (isLeader || !mirrored) status.set({ ...own, isLeader })
  }

  function onTimer(at: number): void {
    timer = undefined
    // The open breaker allows one trial attempt at its recovery time.
    if (state.disabledUntil !== null && at >= state.disabledUntil) state.disabledUntil = null
    void attempt(false)
  }

  const recount = createPendingCounter(
    storage,
    () => userId,
    ({ pending, deadLetters }) => {
      state.pendingChanges = pending
      if (deadLetters !== undefined) status.set({ deadLetters })
      refresh()
    },
    logger,
  )

  /** Counting walks the persisted outbox: during a burst of writes, once at once and then at most every countIntervalMs. */
  function countSoon(): void {
    if (countTimer !== undefined) return
    const wait = countedAt + countIntervalMs - clock.now()
    const count = () => {
      countTimer = undefined
      countedAt = clock.now()
      void recount(false)
    }
    if (wait <= 0) count()
    else countTimer = clock.setTimeout(count, wait)
  }

  function openBurst(): void {
    const now = clock.now()
    state.burstFirst ??= now
    state.burstLast = now
  }

  function onStorage(event: StorageLifecycleEvent): void {
    if (event.type === 'reopened') void recount()
    if (event.type !== 'captured') return
    // Versions are global across users: a sync pushes what was captured before it started.
    latestSeq = Math.max(latestSeq, event.seq)
    if (!event.userIds.includes(userId)) return
    bufferedEvents++
    openBurst()
    refresh()
    countSoon()
  }

  function onOnline(online: boolean): void {
    if (online === state.online) return
    state.online = online
    state.reconnectAt = online ? clock.now() + Math.round(random() * reconnectJitterMs) : null
    refresh()
  }

  const tabs = createTabs({
    database: storage.name,
    userId: () => userId,
    status: () => status.get(),
    onLeaderStatus(leaderStatus) {
      mirrored = true
      status.set({ ...leaderStatus, isLeader: false })
    },
    onSyncNowRequest: () => void attempt(true),
    onLeader(isLeader) {
      mirrored = false
      emit({ type: 'leader-changed', isLeader, at: clock.now() })
      refresh()
      status.set({ isLeader })
      if (isLeader) void recount()
    },
  })

  function onEnded(manual: boolean, error: unknown, done: number, startedAt: number, refused?: SyncErrorInfo): void {
    const end = clock.now()
    state.lastEndedAt = end
    state.periodicFrom = end
    if (error === undefined) {
      const recovered = breakerOpen
      failures = 0
      breakerOpen = false
      state.retryAt = null
      state.disabledUntil = null
      status.set({ lastSyncTime: end, progress: null, lastError: refused ?? null })
      void storage.metadata.set(metadataKey(), end).catch(() => {})
      logger.info(`${log} Sync completed successfully`)
      emit({ type: 'sync-succeeded', changes: done, durationMs: end - startedAt, at: end })
      if (recovered) emit({ type: 'sync-enabled', reason: manual ? 'sync-now' : 'recovered', at: end })
      return
    }
    const info = errorInfo(error, end)
    status.set({ lastError: info, progress: null })
    if (AdapterError.isInstance(error) && error.kind === 'auth') {
      state.authPaused = true
      logger.warn(`${log} Sync paused until sign-in: ${info.message}`)
      emit({ type: 'auth-required', error: info, at: end })
      return
    }
    failures++
    logger.warn(`${log} Sync failed (${failures}/${policy.maxConsecutiveFailures}): ${info.message}`)
    Object.assign(state, afterFailure(failures, error, end, policy))
    breakerOpen = state.disabledUntil !== null
    refresh()
    const nextSyncAt = status.get().nextSyncAt
    emit({ type: 'sync-failed', error: info, consecutiveFailures: failures, nextSyncAt, at: end })
    if (breakerOpen) {
      emit({ type: 'sync-disabled', reason: 'circuit-breaker', disabledUntil: state.disabledUntil, at: end })
    }
  }

  /** One attempt: the whole backlog of the active user as it was when the attempt started. */
  async function attempt(manual: boolean): Promise<void> {
    if (flight) {
      if (manual) await flight.then(() => attempt(true))
      return
    }
    const pushingFor = userId
    const abort = new AbortController()
    controller = abort
    state.inFlight = true
    state.burstFirst = state.burstLast = state.reconnectAt = null
    bufferedEvents = 0
    const startedAt = clock.now()
    refresh()
    const untilSeq = latestSeq || Number.POSITIVE_INFINITY
    let error: unknown
    let refused: SyncErrorInfo | undefined
    let done = 0
    flight = (async () => {
      try {
        const total = await storage.outbox.count({ userId: pushingFor })
        emit({ type: 'sync-started', changes: total, at: startedAt })
        if (total > 0) logger.info(`${log} Syncing ${total} changes to cloud...`)
        status.set({ progress: { total, done: 0, batches: 0 } })
        done = await pushBacklog({
          storage,
          adapter,
          context: { signal: abort.signal, userId: pushingFor, clientId: storage.clientId, logger },
          plugins,
          batchSize: options.batchSize ?? 500,
          untilSeq,
          total,
          now: () => clock.now(),
          emit,
          onProgress: (progress) => status.set({ progress }),
          onRefused: (refusal) => {
            refused = errorInfo(refusal, clock.now())
            status.set({ lastError: refused })
          },
        })
      } catch (caught) {
        error = caught ?? new Error('unknown failure')
      }
    })()
    await flight
    flight = undefined
    controller = undefined
    state.inFlight = false
    // A stop or user switch aborted this attempt: it is neither a success nor a failure.
    if (!abort.signal.aborted) onEnded(manual, error, done, startedAt, refused)
    else status.set({ progress: null })
    refresh()
    await recount()
  }

  function installFilter(): void {
    removeFilter ??= storage.addCaptureFilter((event) => {
      try {
        const skipped = skipReason(plugins, event, { userId, clientId: storage.clientId })
        if (!skipped) return false
        const [plugin, reason] = skipped
        emit({ type: 'change-skipped', table: event.table, key: event.key, plugin, reason, at: clock.now() })
        return reason
      } catch (error) {
        logger.error('[autosync] [sync] A plugin skip threw; the change is captured:', error)
        return false
      }
    })
  }

  const onPageHide = () => {
    if (tabs.isLeader() && state.pendingChanges + bufferedEvents > 0) void attempt(true)
  }

  async function abortFlight(): Promise<void> {
    controller?.abort()
    await flight
  }

  const autoSync: AutoSync = {
    storage,
    adapter,
    outbox: { summary: () => storage.outbox.summary({ userId }) },
    deadLetters: {
      list: () => storage.deadLetters.list({ userId }),
      retry: (id) => storage.deadLetters.retry(id).then(() => recount()),
      discard: (id) => storage.deadLetters.discard(id).then(() => recount()),
    },
    async start() {
      if (state.started) return
      installFilter()
      detach = [
        storage.onLifecycle(onStorage),
        network.subscribe(onOnline),
        storage.events.onAny((event) => {
          if (event.seq !== undefined) emit({ type: 'change-captured', event, at: clock.now() })
        }),
      ]
      if (typeof window !== 'undefined') {
        window.addEventListener('pagehide', onPageHide)
        detach.push(() => window.removeEventListener('pagehide', onPageHide))
      }
      const lastSyncTime = (await storage.metadata.get<number>(metadataKey())) ?? null
      await recount()
      state.started = true
      state.online = network.isOnline()
      state.periodicFrom = clock.now()
      if (state.pendingChanges > 0) openBurst()
      status.set({ isInitialized: true, lastSyncTime })
      tabs.join()
      refresh()
      logger.info(`${log} Event listeners set up`)
    },
    async stop() {
      if (!state.started) return
      state.started = false
      for (const undo of detach) undo()
      detach = []
      removeFilter?.()
      removeFilter = undefined
      tabs.leave()
      clock.clearTimeout(countTimer)
      countTimer = undefined
      await abortFlight()
      for (const teardown of teardowns.values()) teardown()
      teardowns.clear()
      refresh()
    },
    async syncNow() {
      if (state.started && !tabs.isLeader()) {
        tabs.requestSyncNow()
        return
      }
      state.authPaused = false
      await attempt(true)
    },
    async backup() {
      const result = await backupSnapshot({ storage, adapter, plugins, userId, now: clock.now(), logger })
      emit({ type: 'backup-succeeded', result, at: clock.now() })
      return result
    },
    setEnabled(enabled) {
      if (enabled === state.enabled && !(enabled && state.authPaused)) return
      state.enabled = enabled
      state.authPaused = false
      const at = clock.now()
      emit(
        enabled
          ? { type: 'sync-enabled', reason: 'manual', at }
          : { type: 'sync-disabled', reason: 'manual', disabledUntil: null, at },
      )
      refresh()
    },
    async switchUser(next) {
      if (next === userId) return
      const previousUserId = userId
      await abortFlight()
      userId = next
      storage.setActiveUser(next)
      failures = 0
      breakerOpen = false
      bufferedEvents = 0
      Object.assign(state, { authPaused: false, burstFirst: null, burstLast: null, retryAt: null, disabledUntil: null })
      state.pendingChanges = 0
      status.set({ lastError: null, progress: null, lastSyncTime: null })
      if (state.started) {
        status.set({ lastSyncTime: (await storage.metadata.get<number>(metadataKey())) ?? null })
        await recount()
        if (state.pendingChanges > 0) openBurst()
        tabs.join()
      }
      refresh()
      emit({ type: 'user-switched', previousUserId, userId: next, at: clock.now() })
    },
    async purgeUser(purged) {
      await storage.outbox.purgeUser(purged)
      await recount()
    },
    use(plugin) {
      plugins.push(plugin)
      const teardown = plugin.setup?.(autoSync)
      if (teardown) teardowns.set(plugin, teardown)
      return () => {
        const index = plugins.indexOf(plugin)
        if (index >= 0) plugins.splice(index, 1)
        teardowns.get(plugin)?.()
        teardowns.delete(plugin)
      }
    },
    getStatus: () => status.get(),
    subscribe(listener) {
      return status.subscribe((next) => {
        listener(next)
      })
    },
    on: (type, listener) => lifecycle.on(type, listener as never),
  }
  status.subscribe((next) => {
    tabs.publish(next)
  })
  storage.setActiveUser(userId)
  installFilter()
  for (const plugin of options.plugins ?? []) autoSync.use(plugin)
  return autoSync
}
