import { browserNetwork, consoleLogger, mathRandom, systemClock } from '../runtime/defaults'
import type { AutoSyncOptions, SyncPlugin } from '../types'
import { createAttempts } from './attempt'
import { exponentialBackoff } from './backoff'
import { type Engine, metadataKey } from './engine'
import { createExtensions } from './extensions'
import { createTabs } from './leader'
import { createLifecycle } from './lifecycle'
import { createPendingCounter } from './pending-counter'
import { skipReason } from './plugin-policy'
import { createScheduler } from './scheduler'
import { initialState } from './state'

/** Longest random wait before the sync that follows a reconnect, so tabs and devices do not all hit the backend at once. */
const reconnectJitterMs = 1_000

/** The engine's parts wired together: scheduler, tabs, counter, attempts; `createAutoSync` is the facade over them. */
export function createEngine(options: AutoSyncOptions, plugins: readonly SyncPlugin[]) {
  const { adapter, storage } = options
  const clock = options.clock ?? systemClock
  const random = options.random ?? mathRandom
  const network = options.network ?? browserNetwork
  const logger = options.logger ?? consoleLogger
  const lifecycle = createLifecycle(logger)
  const emit: Engine['emit'] = (event) => lifecycle.emit({ at: clock.now(), ...event } as never)
  const tabs = createTabs({
    database: storage.name,
    logger,
    userId: () => scheduler.state.userId,
    status: () => scheduler.status(),
    onLeaderStatus(leaderStatus) {
      scheduler.dispatch({ type: 'leader-status-heard' })
      scheduler.report({ ...leaderStatus, isLeader: false })
    },
    onSyncNowRequest(seq) {
      scheduler.dispatch({ type: 'seq-seen', seq })
      return attempts.attempt(true)
    },
    onLeader(isLeader) {
      scheduler.dispatch({ type: 'leader-changed' })
      emit({ type: 'leader-changed', isLeader })
      if (isLeader) void recount()
    },
  })
  const scheduler = createScheduler({
    initial: initialState(options.userId, network.isOnline()),
    settings: {
      bufferMs: options.bufferMs ?? 2_000,
      maxBufferMs: options.maxBufferMs ?? 10_000,
      minIntervalMs: options.minIntervalMs ?? 5_000,
      periodicSyncMs: options.periodicSyncMs ?? 60_000,
    },
    clock,
    logger,
    isLeader: () => tabs.isLeader(),
    onDue: () => void attempts.attempt(false),
    onPullDue: () => void attempts.attempt(false, true),
  })
  const recount = createPendingCounter(
    storage,
    () => scheduler.state.userId,
    () => scheduler.state.latestSeq,
    ({ pending, deadLetters, coveredSeq }) => {
      if (deadLetters !== undefined) scheduler.report({ deadLetters })
      scheduler.dispatch({ type: 'counted', pending, coveredSeq })
    },
    logger,
  )
  const engine: Engine = {
    storage,
    adapter,
    clock,
    logger,
    plugins: plugins,
    scheduler,
    tabs,
    extensions: createExtensions((pulls) => scheduler.dispatch({ type: 'pulls-changed', pulls })),
    emit,
    recount,
    skip(event) {
      const skipped = skipReason(plugins, event, { userId: scheduler.state.userId, clientId: storage.clientId })
      if (!skipped) return false
      const [plugin, reason] = skipped
      emit({ type: 'change-skipped', table: event.table, key: event.key, plugin, reason })
      return reason
    },
  }
  const attempts = createAttempts(engine, {
    batchSize: options.batchSize ?? 500,
    backoff: options.backoff ?? exponentialBackoff(),
    random,
    maxConsecutiveFailures: options.maxConsecutiveFailures ?? 5,
    recoveryMs: options.recoveryMs ?? 300_000,
  })

  /** Reads the active user's last sync time and counts, opening a burst for what is pending. */
  async function loadUser(): Promise<void> {
    scheduler.report({
      lastSyncTime: (await storage.metadata.get<number>(metadataKey(scheduler.state.userId))) ?? null,
    })
    await recount()
    scheduler.dispatch({ type: 'backlog-found', at: clock.now() })
  }
  function onOnline(online: boolean): void {
    if (online === scheduler.state.online) return
    const reconnectAt = online ? clock.now() + Math.round(random() * reconnectJitterMs) : null
    scheduler.dispatch({ type: 'online-changed', online, reconnectAt })
  }
  return { engine, attempts, lifecycle, network, loadUser, onOnline, recount }
}
