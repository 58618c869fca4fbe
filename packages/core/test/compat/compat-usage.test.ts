import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { expect, it, vi } from 'vitest'
import {
  configureAutoSync,
  getAutoSync,
  getAutoSyncStatus,
  initAutoSync,
  setAutoSyncEnabled,
  storageEventManager,
} from '../../src/compat/index'
import { openStorage } from '../../src/storage'
import { createFakeClock } from '../../src/testing/fake-clock'
import { createMemoryAdapter } from '../../src/testing/memory-adapter'

// The compat API as the seed's snippets use it, in Node with the fake clock: `initAutoSync('user-id')`,
// `setAutoSyncEnabled`, `getAutoSyncStatus()` read without a null check, `storageEventManager.on(table, listener)`.
// The seed's snippets themselves, verbatim, run in packages/react/test/browser/seed-snippets.test.ts.
it('prints the seed’s console messages through @autosync/core/compat', async () => {
  const printed: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((...parts) => void printed.push(parts.join(' ')))
  try {
    // Listeners first, as an app registers them at module load, before storage exists.
    storageEventManager.on('conversations', (event) => {
      console.log('Conversation changed:', event.type, event.key)
    })

    // The app's start-up configuration (not part of the seed: the one step it adds).
    const clock = createFakeClock()
    const storage = await openStorage({
      name: 'seed-app',
      version: 1,
      tables: { conversations: { keyPath: 'id' } },
      indexedDB: new IDBFactory(),
      broadcast: false,
      clock,
    })
    const adapter = createMemoryAdapter()
    await configureAutoSync({ storage, adapter, clock })

    // Initialization.
    await initAutoSync('user-id')

    // Enable/disable and status.
    setAutoSyncEnabled(false)
    const status = getAutoSyncStatus()
    console.log('Auto-sync enabled:', status.isEnabled)
    setAutoSyncEnabled(true)

    await storage.put('conversations', { id: 'c1', title: 'Hello' })
    await clock.advance(2_000)
    expect(printed).toEqual(
      expect.arrayContaining([
        'Auto-sync service: Event listeners set up',
        'Auto-sync enabled: false',
        'Conversation changed: create c1',
        'Auto-sync service: Sync completed successfully',
      ]),
    )
    expect(adapter.records('user-id').get('conversations')?.get('c1')).toEqual({ id: 'c1', title: 'Hello' })
  } finally {
    log.mockRestore()
    await getAutoSync()?.stop()
  }
})
