import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { openStorage } from '../../src/storage/open-storage'
import type { Clock, Logger, StorageOptions, StorageSchema } from '../../src/types'

let databaseCounter = 0

/** A logger that remembers what it was told, for assertions. */
export function recordingLogger(): Logger & { errors: unknown[][] } {
  const errors: unknown[][] = []
  return { debug() {}, info() {}, warn() {}, error: (...parts) => void errors.push(parts), errors }
}

/** A clock whose timers run only when the test advances it. */
export function manualClock(start = 1_000): Clock & { advance(ms: number): void; pendingTimers(): number } {
  let now = start
  const timers = new Map<number, { at: number; callback: () => void }>()
  let nextHandle = 1
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const handle = nextHandle++
      timers.set(handle, { at: now + ms, callback })
      return handle
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    pendingTimers: () => timers.size,
    advance(ms) {
      now += ms
      for (const [handle, timer] of [...timers]) {
        if (timer.at <= now) {
          timers.delete(handle)
          timer.callback()
        }
      }
    },
  }
}

export const notesTables = {
  notes: { keyPath: 'id', indexes: { byUser: 'userId' } },
  local: { keyPath: 'id', sync: false, strictKeys: false },
} as const

/** Opens a storage on its own fresh factory unless one is given. */
export function openTestStorage<S extends StorageSchema = StorageSchema>(overrides: Partial<StorageOptions<S>> = {}) {
  return openStorage<S>({
    name: `test-${++databaseCounter}`,
    version: 1,
    tables: notesTables as unknown as StorageOptions<S>['tables'],
    userIdField: 'userId',
    indexedDB: new IDBFactory(),
    clock: manualClock(),
    logger: recordingLogger(),
    ...overrides,
  })
}
