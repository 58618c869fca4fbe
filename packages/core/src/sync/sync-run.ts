import { AdapterError } from '../errors'
import type { AutoSyncOptions, SyncErrorInfo } from '../types'
import { type Engine, metadataKey } from './engine'
import { afterFailure, errorInfo, type FailurePolicy } from './failures'
import { pushBacklog } from './push'

const log = 'Auto-sync service:'

/** One sync at a time: `attempt` pushes the active user's backlog as it was when it started, `abort` cancels it. */
export function createSyncRun(engine: Engine, options: AutoSyncOptions, policy: FailurePolicy) {
  const { storage, clock, logger, state, status, emit } = engine
  let flight: Promise<void> | undefined
  let controller: AbortController | undefined

  function onEnded(manual: boolean, error: unknown, done: number, startedAt: number, refused?: SyncErrorInfo): void {
    const end = clock.now()
    state.lastEndedAt = state.periodicFrom = end
    if (error === undefined) {
      const recovered = state.breakerOpen
      Object.assign(state, { failures: 0, breakerOpen: false, retryAt: null, disabledUntil: null })
      status.set({ lastSyncTime: end, progress: null, lastError: refused ?? null })
      void storage.metadata.set(metadataKey(state.userId), end).catch(() => {})
      logger.info(`${log} Sync completed successfully`)
      emit({ type: 'sync-succeeded', changes: done, durationMs: end - startedAt })
      if (recovered) emit({ type: 'sync-enabled', reason: manual ? 'sync-now' : 'recovered' })
      return
    }
    const info = errorInfo(error, end)
    status.set({ lastError: info, progress: null })
    if (AdapterError.isInstance(error) && error.kind === 'auth') {
      state.authPaused = true
      logger.warn(`${log} Sync paused until sign-in: ${info.message}`)
      emit({ type: 'auth-required', error: info })
      return
    }
    const failures = ++state.failures
    logger.warn(`${log} Sync failed (${failures}/${policy.maxConsecutiveFailures}): ${info.message}`)
    Object.assign(state, afterFailure(failures, error, end, policy))
    const { disabledUntil } = state
    state.breakerOpen = disabledUntil !== null
    engine.refresh()
    emit({ type: 'sync-failed', error: info, consecutiveFailures: failures, nextSyncAt: status.get().nextSyncAt })
    if (disabledUntil !== null) emit({ type: 'sync-disabled', reason: 'circuit-breaker', disabledUntil })
  }

  async function attempt(manual: boolean): Promise<void> {
    if (flight) {
      if (manual) await flight.then(() => attempt(true))
      return
    }
    const userId = state.userId
    const abort = new AbortController()
    controller = abort
    state.inFlight = true
    state.burstFirst = state.burstLast = state.reconnectAt = state.pullAt = null
    state.bufferedEvents = 0
    const startedAt = clock.now()
    engine.refresh()
    const untilSeq = state.latestSeq || Number.POSITIVE_INFINITY
    let error: unknown
    let refused: SyncErrorInfo | undefined
    let done = 0
    flight = (async () => {
      try {
        // A count taken since the last capture is exact: no need to walk the whole outbox again.
        const total =
          state.countedSeq === state.latestSeq ? state.pendingChanges : await storage.outbox.count({ userId })
        emit({ type: 'sync-started', changes: total, at: startedAt })
        if (total > 0) logger.info(`${log} Syncing ${total} changes to cloud...`)
        status.set({ progress: { total, done: 0, batches: 0 } })
        const context = { signal: abort.signal, userId, clientId: storage.clientId, logger }
        const push = (until: number) =>
          pushBacklog({
            engine,
            adapter: options.adapter,
            context,
            batchSize: options.batchSize ?? 500,
            untilSeq: until,
            total,
            onRefused(refusal) {
              refused = errorInfo(refusal, clock.now())
              status.set({ lastError: refused })
            },
          })
        done = await push(engine.pullFirst && (await engine.pull!(context)) ? state.latestSeq || untilSeq : untilSeq)
        // Resolved conflicts are pushed in the same attempt; a few rounds settle a record edited on both sides.
        for (let round = 0; round < 3 && !abort.signal.aborted && (await engine.pull?.(context)); round++) {
          done += await push(state.latestSeq || untilSeq)
        }
      } catch (caught) {
        error = caught ?? new Error('unknown failure')
      }
    })()
    await flight
    flight = controller = undefined
    state.inFlight = false
    // A stop or user switch aborted this attempt: it is neither a success nor a failure.
    if (abort.signal.aborted) status.set({ progress: null })
    else onEnded(manual, error, done, startedAt, refused)
    engine.refresh()
    await engine.recount()
  }

  return {
    attempt,
    async abort(): Promise<void> {
      controller?.abort()
      await flight
    },
  }
}
