import { AutoSyncError } from '../errors'
import { systemClock } from '../runtime/defaults'
import { createAutoSync } from '../sync/auto-sync'
import { skipForeignUsers, skipTables } from '../sync/plugins'
import type {
  AutoSync,
  AutoSyncOptions,
  BackupResult,
  Clock,
  RestoreOptions,
  RestoreOutcome,
  StorageEventListener,
  SyncStatus,
} from '../types'
import { notStartedStatus } from './not-started-status'
import { seedLogger } from './seed-logger'

/** `configureAutoSync` takes every option but the user, which `initAutoSync` names. */
export interface AutoSyncServiceOptions extends Omit<AutoSyncOptions, 'userId'> {
  /**
   * The seed's skip rules, applied before `plugins`: tables `checkpoints` and `conversationMemories` stay local,
   * and records of another user are never pushed. Default true.
   */
  seedSkipRules?: boolean
}

let configured: AutoSyncServiceOptions | undefined
let instance: AutoSync | undefined
let enabled = true
/** `storageEventManager` listeners, attached to the configured storage (now, or once it is configured). */
const listeners = new Map<symbol, { table?: string; listener: StorageEventListener; detach?: () => void }>()

/** `initAutoSync` calls waiting for `configureAutoSync` (sibling modules with a top-level `await openStorage`). */
const waitingForConfiguration = new Set<() => void>()

const notConfigured = (waitedMs: number) =>
  new AutoSyncError(
    `[autosync] [compat] initAutoSync() waited ${waitedMs} ms for configureAutoSync({ storage, adapter }), which never ran; call configureAutoSync once at start-up (it may finish after initAutoSync is called, within timeoutMs)`,
    { code: 'not-configured' },
  )

/** The configuration, now or once `configureAutoSync` runs, or a rejection after `timeoutMs`. */
function whenConfigured(timeoutMs: number, clock: Clock): Promise<AutoSyncServiceOptions> {
  if (configured) return Promise.resolve(configured)
  return new Promise((resolve, reject) => {
    const wake = () => {
      clock.clearTimeout(timer)
      resolve(configured!)
    }
    const timer = clock.setTimeout(() => {
      waitingForConfiguration.delete(wake)
      reject(notConfigured(timeoutMs))
    }, timeoutMs)
    waitingForConfiguration.add(wake)
  })
}

export interface InitAutoSyncOptions {
  /** How long to wait for `configureAutoSync` when it has not run yet. Default 10,000 ms. */
  timeoutMs?: number
  /** The clock of that wait. Default the system clock. */
  clock?: Clock
}

function attach(entry: { table?: string; listener: StorageEventListener; detach?: () => void }): void {
  entry.detach?.()
  const events = configured?.storage.events
  entry.detach =
    events && (entry.table === undefined ? events.onAny(entry.listener) : events.on(entry.table, entry.listener))
}

/**
 * Sets the options of the one default instance (the seed's service). Stops a running instance. Logs to the console
 * at `info` unless `logger` is given (the seed's messages print by default).
 * @example configureAutoSync({ storage, adapter: restAdapter({ baseUrl }) })
 */
export async function configureAutoSync(options: AutoSyncServiceOptions): Promise<void> {
  await instance?.stop()
  instance = undefined
  configured = options
  for (const entry of listeners.values()) attach(entry)
  for (const wake of waitingForConfiguration) wake()
  waitingForConfiguration.clear()
}

/** Whether `configureAutoSync` ran; `@autosync/react`'s `useCloudSync(userId)` without options relies on it. */
export function isAutoSyncConfigured(): boolean {
  return configured !== undefined
}

/**
 * Starts auto-sync for a user, or switches the running instance to that user. Called before `configureAutoSync`
 * finished (another module still awaiting `openStorage`), it waits for it, up to `timeoutMs`.
 */
export async function initAutoSync(userId: string | null, waitOptions: InitAutoSyncOptions = {}): Promise<AutoSync> {
  const configuration = await whenConfigured(waitOptions.timeoutMs ?? 10_000, waitOptions.clock ?? systemClock)
  if (instance) {
    await instance.switchUser(userId)
    return instance
  }
  const { seedSkipRules = true, plugins = [], logger = seedLogger, ...options } = configuration
  const seedPlugins = seedSkipRules ? [skipTables(['checkpoints', 'conversationMemories']), skipForeignUsers()] : []
  const started = createAutoSync({ ...options, logger, userId, plugins: [...seedPlugins, ...plugins] })
  instance = started
  // A `setAutoSyncEnabled(false)` before init is kept: the service starts disabled.
  started.setEnabled(enabled)
  await started.start()
  return started
}

/** The seed's `setAutoSyncEnabled`; remembered when called before `initAutoSync`. */
export function setAutoSyncEnabled(value: boolean): void {
  enabled = value
  instance?.setEnabled(value)
}

/** The status of the default instance; before `initAutoSync` a status with `isInitialized: false`. */
export function getAutoSyncStatus(): SyncStatus {
  return instance?.getStatus() ?? notStartedStatus(enabled)
}

const notStarted = () => new AutoSyncError('[autosync] [compat] Call initAutoSync(userId) first')

/** The seed's `triggerBackup`: a full snapshot of the active user's synced tables through the adapter. */
export async function triggerBackup(): Promise<BackupResult> {
  if (!instance) throw notStarted()
  return instance.backup()
}

/**
 * `triggerBackup`'s counterpart: replaces the active user's records with a backup (the latest unless `backupId`).
 * Needs `twoWay()` among the configured plugins; refuses with `code: 'restore-would-discard'` while changes are
 * pending unless `discardPending: true`.
 */
export async function triggerRestore(options?: RestoreOptions): Promise<RestoreOutcome> {
  if (!instance) throw notStarted()
  return instance.restore(options)
}

/** The default instance, for `syncNow`, `backup`, `subscribe`…; `undefined` before `initAutoSync`. */
export function getAutoSync(): AutoSync | undefined {
  return instance
}

function listen(table: string | undefined, listener: StorageEventListener): () => void {
  const key = Symbol('listener')
  const entry = { table, listener } as { table?: string; listener: StorageEventListener; detach?: () => void }
  listeners.set(key, entry)
  attach(entry)
  return () => {
    entry.detach?.()
    listeners.delete(key)
  }
}

/**
 * The seed's event manager, over the configured storage's event bus. Listeners may be added before
 * `configureAutoSync`: they start hearing events once storage is configured (and follow a reconfiguration).
 */
export const storageEventManager = {
  on: (table: string, listener: StorageEventListener): (() => void) => listen(table, listener),
  onAny: (listener: StorageEventListener): (() => void) => listen(undefined, listener),
}
