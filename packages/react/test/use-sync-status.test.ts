import { createAutoSync } from '@autosync/core'
import { act, renderHook, waitFor } from '@testing-library/react'
import { afterEach, expect, it } from 'vitest'
import { useSyncStatus } from '../src/use-sync-status'
import { createTestBackend } from './test-engine'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

it('re-renders with each new status snapshot and keeps the same object between changes', async () => {
  const { storage, options } = await createTestBackend()
  const autoSync = createAutoSync({ ...options, userId: 'alice' })
  cleanups.push(async () => {
    await autoSync.stop()
    storage.close()
  })
  let renders = 0
  const { result } = renderHook(() => {
    renders++
    return useSyncStatus(autoSync)
  })
  expect(result.current.phase).toBe('stopped')
  await act(() => autoSync.start())
  await waitFor(() => expect(result.current.isInitialized).toBe(true))
  const settled = result.current
  const rendersBefore = renders
  await act(() => storage.put('notes', { id: 'n1', userId: 'alice', title: 'A' }))
  await waitFor(() => expect(result.current.pendingChanges).toBe(1))
  expect(result.current).not.toBe(settled)
  expect(renders).toBeGreaterThan(rendersBefore)
  expect(result.current).toBe(autoSync.getStatus())
})

it('returns null without an engine and switches when the engine changes', async () => {
  const { storage, options } = await createTestBackend()
  const first = createAutoSync({ ...options, userId: 'alice' })
  const second = createAutoSync({ ...options, userId: 'bob' })
  cleanups.push(() => storage.close())
  const { result, rerender } = renderHook(({ engine }) => useSyncStatus(engine), {
    initialProps: { engine: null as typeof first | null },
  })
  expect(result.current).toBeNull()
  rerender({ engine: first })
  expect(result.current?.userId).toBe('alice')
  rerender({ engine: second })
  expect(result.current?.userId).toBe('bob')
})
