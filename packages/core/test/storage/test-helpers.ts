import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { openStorage } from '../../src/storage/open-storage'
import { createFakeClock } from '../../src/testing/fake-clock'
import type { Logger, StorageOptions, StorageSchema } from '../../src/types'

let databaseCounter = 0

/** A logger that remembers what it was told, for assertions. */
export function recordingLogger(): Logger & { errors: unknown[][] } {
  const errors: unknown[][] = []
  return { debug() {}, info() {}, warn() {}, error: (...parts) => void errors.push(parts), errors }
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
    clock: createFakeClock({ start: 1_000 }),
    logger: recordingLogger(),
    ...overrides,
  })
}
