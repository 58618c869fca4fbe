import type { SyncStatus } from '../types'

/** The status before `initAutoSync` (the seed's shape): not initialized, nothing pending, nothing scheduled. */
export function notStartedStatus(isEnabled: boolean): SyncStatus {
  return Object.freeze({
    isEnabled,
    isInitialized: false,
    userId: null,
    lastSyncTime: null,
    hasPendingSync: false,
    consecutiveFailures: 0,
    bufferedEvents: 0,
    isRetrying: false,
    phase: 'stopped',
    pendingChanges: 0,
    nextSyncAt: null,
    disabledUntil: null,
    isOnline: globalThis.navigator?.onLine !== false,
    isLeader: false,
    lastError: null,
    progress: null,
    deadLetters: 0,
  })
}
