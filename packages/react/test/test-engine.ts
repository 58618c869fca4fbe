// Test helpers: a real storage on fake-indexeddb and the memory adapter, on a fake clock.
import 'fake-indexeddb/auto'
import { openStorage, silentLogger } from '@autosync/core'
import { createFakeClock, createMemoryAdapter } from '@autosync/core/testing'

let databases = 0

export async function createTestBackend() {
  const clock = createFakeClock({ start: 1_000_000 })
  const storage = await openStorage({
    name: `react-${++databases}`,
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    userIdField: 'userId',
    clock,
    broadcast: false,
  })
  const adapter = createMemoryAdapter()
  return { clock, storage, adapter, options: { storage, adapter, clock, logger: silentLogger, random: () => 0 } }
}
