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
import { useCallback, useEffect, useRef, useState } from 'react'
import { useSyncStatus } from './use-sync-status'

/** Everything `createAutoSync` takes except the user, which the hook's first argument sets. */
export type UseCloudSyncOptions<S extends StorageSchema = StorageSchema> = Omit<AutoSyncOptions<S>, 'userId'>

/** How a manual action went; failures are reported, never thrown, so a click handler needs no try/catch. */
export type CloudSyncResult<T> = { success: true; value: T } | { success: false; error: string }

export interface CloudSync {
  /** Pushes everything pending now (bypassing buffer, throttle, backoff and a disabled state). */
  forceSync(): Promise<CloudSyncResult<SyncStatus>>
  /** A full snapshot of the synced tables through the adapter's `backup`. */
  triggerBackup(): Promise<CloudSyncResult<BackupResult>>
  /** Replaces the user's records with a backup (the latest unless `backupId`); needs `twoWay()` in the plugins. */
  triggerRestore(options?: RestoreOptions): Promise<CloudSyncResult<RestoreOutcome>>
  /** The current status, read at call time (outside render). */
  getSyncStatus(): SyncStatus | null
  /** The live status; `null` while no user is signed in. */
  status: SyncStatus | null
  /** The running engine, e.g. for `<AutoSyncDevtools autoSync={...} />`; `null` without a user. */
  autoSync: AutoSync | null
}

const noUser = '[autosync] [react] No active user: pass a userId to useCloudSync before syncing'
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * Runs auto-sync for the signed-in user: creates and starts an engine with `createAutoSync({ ...options, userId })`,
 * stops it on unmount or when `userId` changes (then starts one for the new user). With `userId` null nothing runs.
 * `options` are read when the engine is created; the periodic fallback sync is the engine's `periodicSyncMs`
 * (default 60,000 ms).
 *
 * @example
 * const { status, forceSync, triggerBackup } = useCloudSync(user?.id ?? null, { storage, adapter })
 */
export function useCloudSync<S extends StorageSchema = StorageSchema>(
  userId: string | null | undefined,
  options: UseCloudSyncOptions<S>,
): CloudSync {
  const [autoSync, setAutoSync] = useState<AutoSync | null>(null)
  const optionsRef = useRef(options)
  optionsRef.current = options
  const current = useRef<{ engine: AutoSync; started: Promise<void> } | null>(null)
  // An engine for the next user starts only after the previous one stopped (same database, same leader lock).
  const stopped = useRef<Promise<void>>(Promise.resolve())

  useEffect(() => {
    if (userId === null || userId === undefined) return
    const engine = createAutoSync({ ...(optionsRef.current as unknown as UseCloudSyncOptions), userId })
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
      stopped.current.catch((error) => optionsRef.current.logger?.error('[autosync] [react] Stopping failed:', error))
    }
  }, [userId])

  const forceSync = useCallback(async (): Promise<CloudSyncResult<SyncStatus>> => {
    const entry = current.current
    if (!entry) return { success: false, error: noUser }
    try {
      await entry.started
      const before = entry.engine.getStatus().lastError
      await entry.engine.syncNow()
      const after = entry.engine.getStatus()
      // syncNow resolves after a failed attempt too; the status tells how it went.
      if (after.lastError && after.lastError !== before && after.consecutiveFailures > 0) {
        return { success: false, error: after.lastError.message }
      }
      return { success: true, value: after }
    } catch (error) {
      return { success: false, error: describe(error) }
    }
  }, [])

  const triggerBackup = useCallback(async (): Promise<CloudSyncResult<BackupResult>> => {
    const entry = current.current
    if (!entry) return { success: false, error: noUser }
    try {
      await entry.started
      return { success: true, value: await entry.engine.backup() }
    } catch (error) {
      return { success: false, error: describe(error) }
    }
  }, [])

  const triggerRestore = useCallback(
    async (restoreOptions?: RestoreOptions): Promise<CloudSyncResult<RestoreOutcome>> => {
      const entry = current.current
      if (!entry) return { success: false, error: noUser }
      try {
        await entry.started
        return { success: true, value: await entry.engine.restore(restoreOptions) }
      } catch (error) {
        return { success: false, error: describe(error) }
      }
    },
    [],
  )

  const getSyncStatus = useCallback(() => current.current?.engine.getStatus() ?? null, [])
  const status = useSyncStatus(autoSync)
  return { forceSync, triggerBackup, triggerRestore, getSyncStatus, status, autoSync }
}
