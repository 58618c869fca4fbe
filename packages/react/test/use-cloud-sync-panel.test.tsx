import 'fake-indexeddb/auto'
import { openStorage, silentLogger } from '@autosync/core'
import { configureAutoSync, getAutoSync } from '@autosync/core/compat'
import { createFakeClock, createMemoryAdapter } from '@autosync/core/testing'
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, expect, it } from 'vitest'
import { useCloudSync } from '../src'

afterEach(async () => {
  cleanup()
  await getAutoSync()?.stop()
})

// A status panel on useCloudSync(userId) alone, with the fake clock: `status` read without a null check, forceSync
// and triggerBackup passed straight to onClick. The seed's own snippets, verbatim, run in browser/seed-snippets.test.ts.
function SyncPanel({ userId }: { userId: string }) {
  const { status, forceSync, triggerBackup } = useCloudSync(userId)

  return (
    <div>
      <p>Sync enabled: {status.isEnabled ? 'Yes' : 'No'}</p>
      <p>Last sync: {status.lastSyncTime ? new Date(status.lastSyncTime).toLocaleString() : 'Never'}</p>
      <p>Pending changes: {status.hasPendingSync ? 'Yes' : 'No'}</p>
      <button type="button" onClick={forceSync}>
        Sync Now
      </button>
      <button type="button" onClick={triggerBackup}>
        Backup
      </button>
    </div>
  )
}

it('renders a status panel on useCloudSync(userId) once the app configured autosync at start-up', async () => {
  const clock = createFakeClock({ start: 1_000_000 })
  const storage = await openStorage({
    name: 'seed-basic-setup',
    version: 1,
    tables: { conversations: { keyPath: 'id' } },
    userIdField: 'userId',
    clock,
    broadcast: false,
  })
  const adapter = createMemoryAdapter()
  // The one line the seed's app adds, at start-up.
  await configureAutoSync({ storage, adapter, clock, logger: silentLogger })

  render(<SyncPanel userId="user-123" />)
  await waitFor(() => expect(getAutoSync()?.getStatus().isInitialized).toBe(true))
  expect(screen.getByText('Sync enabled: Yes')).toBeTruthy()
  expect(screen.getByText('Last sync: Never')).toBeTruthy()

  await act(() => storage.put('conversations', { id: 'c1', userId: 'user-123', title: 'Hi' }))
  await waitFor(() => expect(screen.getByText('Pending changes: Yes')).toBeTruthy())
  await act(async () => {
    fireEvent.click(screen.getByText('Sync Now'))
    await clock.advance(0)
  })
  await waitFor(() => expect(screen.getByText('Pending changes: No')).toBeTruthy())
  expect(adapter.records('user-123').get('conversations')?.get('c1')).toMatchObject({ title: 'Hi' })
  expect(screen.queryByText('Last sync: Never')).toBeNull()

  await act(async () => {
    fireEvent.click(screen.getByText('Backup'))
    await clock.advance(0)
  })
  await waitFor(() => expect(adapter.backups).toHaveLength(1))
})
