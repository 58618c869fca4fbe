import type { AutoSync, SyncStatus } from '@autosync/core'
import { useCallback, useSyncExternalStore } from 'react'

const noSubscription = () => () => {}
const noStatus = () => null

/**
 * The engine's live status snapshot; re-renders only when a new snapshot is published.
 * Returns `null` while there is no engine (e.g. no signed-in user).
 *
 * @example
 * const status = useSyncStatus(autoSync)
 * return <span>{status.pendingChanges} unsent</span>
 */
export function useSyncStatus(autoSync: AutoSync): SyncStatus
export function useSyncStatus(autoSync: AutoSync | null | undefined): SyncStatus | null
export function useSyncStatus(autoSync: AutoSync | null | undefined): SyncStatus | null {
  const subscribe = useCallback(
    (onChange: () => void) => (autoSync ? autoSync.subscribe(onChange) : noSubscription()),
    [autoSync],
  )
  const getSnapshot = autoSync ? autoSync.getStatus : noStatus
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
}
