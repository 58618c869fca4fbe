import { AdapterError } from '../errors'
import type { SyncErrorInfo } from '../types'
import { type Engine, metadataKey } from './engine'
import { afterFailure, errorInfo, type FailurePolicy } from './failures'
import { pushBacklog } from './push-cycle'
import type { AttemptOutcome } from './state'

const log = 'Auto-sync service:'

/** Rounds of pull-then-push in one attempt: resolved conflicts are pushed at once; a few settle a record edited on both sides. */
const settleRounds = 3

export interface AttemptSettings extends FailurePolicy {
  batchSize: number
}

/** What one attempt did, for `outcomeOf`. */
interface Run {
  manual: boolean
  /** A pull on its own (a hint): no push, and it moves neither the push throttle nor the last sync time. */
  pullOnly: boolean
  startedAt: number
  done: number
  error?: unknown
  refused?: SyncErrorInfo
}

/**
 * One sync at a time: `attempt` pushes the active user's backlog as it was when it started (and pulls, with a pull
 * cycle), then reports its outcome to the scheduler; `abort` cancels it. Owns its AbortController and in-flight promise.
 */
export function createAttempts(engine: Engine, settings: AttemptSettings) {
  const { storage, clock, logger, scheduler, emit, extensions } = engine
  let flight: Promise<void> | undefined
  let controller: AbortController | undefined

  /** A failure's outcome: an auth pause, or one more failure with its backoff or the breaker's recovery time. */
  function failureOf(error: unknown, end: number): AttemptOutcome {
    const info = errorInfo(error, end)
    scheduler.report({ lastError: info, progress: null })
    if (AdapterError.isInstance(error) && error.kind === 'auth') {
      logger.warn(`${log} Sync paused until sign-in: ${info.message}`)
      emit({ type: 'auth-required', error: info, at: end })
      return { outcome: 'auth' }
    }
    const failures = scheduler.state.failures + 1
    logger.warn(`${log} Sync failed (${failures}/${settings.maxConsecutiveFailures}): ${info.message}`)
    return { outcome: 'failed', ...afterFailure(failures, error, end, settings) }
  }

  /** After the scheduler counted a failure: the events that say when the next try is. */
  function announceFailure(outcome: AttemptOutcome, end: number): void {
    if (outcome.outcome !== 'failed') return
    const error = scheduler.status().lastError!
    const { nextSyncAt } = scheduler.status()
    emit({ type: 'sync-failed', error, consecutiveFailures: scheduler.state.failures, nextSyncAt, at: end })
    const { disabledUntil } = outcome
    if (disabledUntil !== null) emit({ type: 'sync-disabled', reason: 'circuit-breaker', disabledUntil, at: end })
  }

  /** The outcome of an attempt for the scheduler, with the lifecycle events and logs that go with it. */
  function outcomeOf(run: Run, end: number): AttemptOutcome {
    if (run.error !== undefined) return failureOf(run.error, end)
    if (run.pullOnly) return { outcome: 'succeeded' }
    const recovered = scheduler.state.breakerOpen
    scheduler.report({ lastSyncTime: end, progress: null, lastError: run.refused ?? null })
    void storage.metadata.set(metadataKey(scheduler.state.userId), end).catch(() => {})
    logger.info(`${log} Sync completed successfully`)
    emit({ type: 'sync-succeeded', changes: run.done, durationMs: end - run.startedAt, at: end })
    if (recovered) emit({ type: 'sync-enabled', reason: run.manual ? 'sync-now' : 'recovered', at: end })
    return { outcome: 'succeeded' }
  }

  /** Pushes (after a first pull on a backend without conditional writes), then pulls and pushes what it settled. */
  async function work(signal: AbortSignal, run: Run): Promise<void> {
    const { userId, latestSeq, countedSeq, pendingChanges } = scheduler.state
    const puller = extensions.puller()
    const context = { signal, userId, clientId: storage.clientId, logger }
    if (run.pullOnly) {
      await puller?.pullCycle?.(context)
      return
    }
    const untilSeq = latestSeq || Number.POSITIVE_INFINITY
    // A count taken since the last capture is exact: no need to walk the whole outbox again.
    const total = countedSeq === latestSeq ? pendingChanges : await storage.outbox.count({ userId })
    emit({ type: 'sync-started', changes: total, at: run.startedAt })
    if (total > 0) logger.info(`${log} Syncing ${total} changes to cloud...`)
    scheduler.report({ progress: { total, done: 0, batches: 0 } })
    const push = (until: number) =>
      pushBacklog({
        engine,
        context,
        batchSize: settings.batchSize,
        untilSeq: until,
        total,
        onProgress: (progress) => scheduler.report({ progress }),
        onRefused(refusal) {
          run.refused = errorInfo(refusal, clock.now())
          scheduler.report({ lastError: run.refused })
        },
      })
    // Changes a pull queued were captured after the attempt started: this attempt pushes them too.
    const afterPull = () => scheduler.state.latestSeq || untilSeq
    run.done = await push(puller?.pullFirst && (await puller.pullCycle!(context)) ? afterPull() : untilSeq)
    for (
      let round = 0;
      puller && round < settleRounds && !signal.aborted && (await puller.pullCycle!(context));
      round++
    ) {
      run.done += await push(afterPull())
    }
  }

  /**
   * One sync, the only one in flight: `manual` bypasses the schedule (a second manual one waits for the running one),
   * `pullOnly` pulls at once after a hint (skipped while another sync runs: the wanted pull runs after it).
   */
  async function attempt(manual: boolean, pullOnly = false): Promise<void> {
    if (flight) {
      if (manual) await flight.then(() => attempt(true))
      return
    }
    const abort = new AbortController()
    controller = abort
    const run: Run = { manual, pullOnly, startedAt: clock.now(), done: 0 }
    scheduler.dispatch({ type: 'attempt-started', pullOnly })
    flight = work(abort.signal, run).catch((caught) => {
      run.error = caught ?? new Error('[autosync] [sync] the attempt failed without an error to report')
    })
    await flight
    flight = controller = undefined
    const end = clock.now()
    if (abort.signal.aborted) {
      scheduler.report({ progress: null })
      scheduler.dispatch({ type: 'attempt-ended', at: end, pullOnly, outcome: 'aborted' })
    } else {
      const outcome = outcomeOf(run, end)
      scheduler.dispatch({ type: 'attempt-ended', at: end, pullOnly, ...outcome })
      announceFailure(outcome, end)
    }
    // A pull on its own recounts in the pull cycle, only when it changed what is pending (an echo, a refusal).
    if (!pullOnly) await engine.recount()
  }

  return {
    attempt,
    async abort(): Promise<void> {
      controller?.abort()
      await flight
    },
  }
}
