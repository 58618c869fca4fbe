import {
  type AutoSync,
  type AutoSyncOptions,
  type BackupResult,
  createAutoSync,
  type RestoreOptions,
  type RestoreOutcome,
  type StorageSchema,
  type SyncStatus,
} from '@autosync/core'
import { getAutoSyncStatus, initAutoSync, isAutoSyncConfigured, notStartedStatus } from '@autosync/core/compat'
import { useCallback, useEffect, useRef, useState } from 'react'
import { useSyncStatus } from './use-sync-status'

/** Everything `createAutoSync` takes except the user, which the hook's first argument sets. */
export type UseCloudSyncOptions<S extends StorageSchema = StorageSchema> = Omit<AutoSyncOptions<S>, 'userId'>

/** How a manual action went; failures are reported, never thrown, so a click handler needs no try/catch. */
export type CloudSyncResult<T> = { success: true; value: T } | { success: false; error: string }

export interface CloudSync {
  /** The seed's `forceSync`: pushes everything pending now; `true` only when that sync succeeded. */
  forceSync(): Promise<boolean>
  /** The seed's `triggerBackup`: a full snapshot through the adapter; `true` only when it was stored. */
  triggerBackup(): Promise<boolean>
  /** Replaces the user's records with a backup (the latest unless `backupId`); `true` when it was restored. */
  triggerRestore(options?: RestoreOptions): Promise<boolean>
  /** `forceSync` with the reason: `{ success: true, value: status }` or `{ success: false, error }`. */
  sync(): Promise<CloudSyncResult<SyncStatus>>
  /** `triggerBackup` with the result or the reason. */
  backup(): Promise<CloudSyncResult<BackupResult>>
  /** `triggerRestore` with the result or the reason; needs `twoWay()` in the plugins. */
  restore(options?: RestoreOptions): Promise<CloudSyncResult<RestoreOutcome>>
  /** The current status, read at call time (outside render); before start, `isInitialized: false`. */
  getSyncStatus(): SyncStatus
  /** The live status; before the engine runs (or without a user), `isInitialized: false`. Never null. */
  status: SyncStatus
  /** The running engine, e.g. for `<AutoSyncDevtools autoSync={...} />`; `null` without a user. */
  autoSync: AutoSync | null
}

const noUser = '[autosync] [react] No active user: pass a userId to useCloudSync before syncing'
const notConfigured =
  '[autosync] [react] useCloudSync(userId) without options needs configureAutoSync({ storage, adapter }) from @autosync/core/compat first'
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

type Entry = { engine: AutoSync; started: Promise<unknown> }

/** The engine of the options given to the hook, stopped on unmount or user change. */
function useOwnEngine(userId: string | null | undefined, options: UseCloudSyncOptions | undefined) {
  const [autoSync, setAutoSync] = useState<AutoSync | null>(null)
  const optionsRef = useRef(options)
  optionsRef.current = options
  const current = useRef<Entry | null>(null)
  // An engine for the next user starts only after the previous one stopped (same database, same leader lock).
  const stopped = useRef<Promise<void>>(Promise.resolve())

  useEffect(() => {
    const configured = optionsRef.current
    if (userId === null || userId === undefined) return
    if (!configured) {
      // The app configured the shared service once (@autosync/core/compat): the hook runs it for this user.
      if (!isAutoSyncConfigured()) {
        console.error(notConfigured)
        return
      }
      let active = true
      const started = initAutoSync(userId).then((engine) => {
        if (active) {
          current.current = { engine, started }
          setAutoSync(engine)
        }
        return engine
      })
      started.catch((error) => console.error('[autosync] [react] Starting failed:', error))
      return () => {
        active = false
        current.current = null
      }
    }
    const engine = createAutoSync({ ...(configured as unknown as UseCloudSyncOptions), userId })
    let active = true
    const started = stopped.current.then(() => (active ? engine.start() : undefined))
    const entry = { engine, started }
    current.current = entry
    setAutoSync(engine)
    return () => {
      active = false
      if (current.current === entry) current.current = null
      setAutoSync((shown) => (shown === engine ? null : shown))
      stopped.current = started.then(
        () => engine.stop(),
        () => engine.stop(),
      )
      stopped.current.catch((error) => optionsRef.current?.logger?.error('[autosync] [react] Stopping failed:', error))
    }
  }, [userId])
  return { autoSync, current }
}

/**
 * Runs auto-sync for the signed-in user, in the seed's shape.
 *
 * - `useCloudSync(userId)`: the app called `configureAutoSync({ storage, adapter, ... })` from
 *   `@autosync/core/compat` once at start-up; the hook runs that shared service for `userId` (`initAutoSync`).
 * - `useCloudSync(userId, options)`: the hook creates its own engine with `createAutoSync({ ...options, userId })`,
 *   stops it on unmount or when `userId` changes (then starts one for the new user). `options` are read when the
 *   engine is created.
 *
 * With `userId` null nothing runs. The periodic fallback sync is the engine's `periodicSyncMs` (default 60,000 ms).
 *
 * @example
 * const { status, forceSync, triggerBackup } = useCloudSync(user?.id ?? null)
 */
export function useCloudSync<S extends StorageSchema = StorageSchema>(
  userId: string | null | undefined,
  options?: UseCloudSyncOptions<S>,
): CloudSync {
  const { autoSync, current } = useOwnEngine(userId, options as UseCloudSyncOptions | undefined)
  // Why there is no engine: no user yet, or (without options) no configureAutoSync at start-up.
  const withOptions = options !== undefined
  const missing = useCallback(() => (withOptions || isAutoSyncConfigured() ? noUser : notConfigured), [withOptions])

  const sync = useCallback(async (): Promise<CloudSyncResult<SyncStatus>> => {
    const entry = current.current
    if (!entry) return { success: false, error: missing() }
    try {
      await entry.started
      const before = entry.engine.getStatus()
      // Turned off by the app (not the circuit breaker, which a manual sync may override): nothing is sent.
      if (before.phase === 'disabled' && before.disabledUntil === null) {
        return { success: false, error: '[autosync] [react] auto-sync is disabled (setEnabled(false))' }
      }
      // syncNow resolves after a failed attempt too (a 401, a network error): only a success counts. A follower
      // tab's sync runs in the leader, whose success shows here as a new lastSyncTime.
      let succeeded = false
      const off = entry.engine.on('sync-succeeded', () => {
        succeeded = true
      })
      try {
        await entry.engine.syncNow()
      } finally {
        off()
      }
      const after = entry.engine.getStatus()
      if (!succeeded && (after.lastSyncTime === null || after.lastSyncTime === before.lastSyncTime)) {
        return { success: false, error: after.lastError?.message ?? 'the sync did not complete' }
      }
      return { success: true, value: after }
    } catch (error) {
      return { success: false, error: describe(error) }
    }
  }, [current, missing])

  const backup = useCallback(async (): Promise<CloudSyncResult<BackupResult>> => {
    const entry = current.current
    if (!entry) return { success: false, error: missing() }
    try {
      await entry.started
      return { success: true, value: await entry.engine.backup() }
    } catch (error) {
      return { success: false, error: describe(error) }
    }
  }, [current, missing])

  const restore = useCallback(
    async (restoreOptions?: RestoreOptions): Promise<CloudSyncResult<RestoreOutcome>> => {
      const entry = current.current
      if (!entry) return { success: false, error: missing() }
      try {
        await entry.started
        return { success: true, value: await entry.engine.restore(restoreOptions) }
      } catch (error) {
        return { success: false, error: describe(error) }
      }
    },
    [current, missing],
  )

  // The seed's booleans; the event a click handler passes is ignored.
  const forceSync = useCallback(() => sync().then((result) => result.success), [sync])
  const triggerBackup = useCallback(() => backup().then((result) => result.success), [backup])
  const triggerRestore = useCallback(
    (restoreOptions?: RestoreOptions) =>
      restore(Object.getPrototypeOf(restoreOptions ?? 0) === Object.prototype ? restoreOptions : undefined).then(
        (result) => result.success,
      ),
    [restore],
  )
  const fallback = options ? notStartedStatus(true) : getAutoSyncStatus()
  const getSyncStatus = useCallback(
    () => current.current?.engine.getStatus() ?? (options ? notStartedStatus(true) : getAutoSyncStatus()),
    [current, options],
  )
  const status = useSyncStatus(autoSync) ?? fallback
  return { forceSync, triggerBackup, triggerRestore, sync, backup, restore, getSyncStatus, status, autoSync }
}
