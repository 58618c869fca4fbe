import type { Clock, Logger, Storage, StorageEvent, SyncAdapter, SyncLifecycleInput, SyncPlugin } from '../types'
import type { Extensions } from './extensions'
import type { Tabs } from './leader'
import type { Scheduler } from './scheduler'

/**
 * The parts of one engine, created once by `createAutoSync`. None of them holds engine state: that lives in the
 * scheduler, changed only by its `dispatch`.
 */
export interface Engine {
  storage: Storage
  adapter: SyncAdapter
  clock: Clock
  logger: Logger
  plugins: readonly SyncPlugin[]
  scheduler: Scheduler
  tabs: Tabs
  extensions: Extensions
  emit(event: SyncLifecycleInput): void
  /** Recounts the active user's outbox (and its dead letters unless `false`). */
  recount(deadLetters?: boolean): Promise<void>
  /** The first plugin's reason to keep this change local (reported as `change-skipped`), or `false`. */
  skip(event: StorageEvent): string | false
}

export const metadataKey = (userId: string | null) => `autosync.lastSyncTime.${userId}`
