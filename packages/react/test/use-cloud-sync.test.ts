import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { restAdapter } from '@autosync/adapter-rest'
import { AdapterError } from '@autosync/core'
import { createFaultyAdapter, createMemoryAdapter } from '@autosync/core/testing'
import { twoWay } from '@autosync/core/two-way'
import { act, renderHook, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { type UseCloudSyncOptions, useCloudSync } from '../src/use-cloud-sync'
import { createTestBackend } from './test-engine'

type Backend = Awaited<ReturnType<typeof createTestBackend>>
const closers: (() => void)[] = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

async function backend(): Promise<Backend> {
  const created = await createTestBackend()
  closers.push(() => created.storage.close())
  return created
}

const renderCloudSync = (userId: string | null, options: UseCloudSyncOptions) =>
  renderHook(({ user }) => useCloudSync(user, options), { initialProps: { user: userId } })

describe('useCloudSync', () => {
  it('starts the engine for the user and follows its status', async () => {
    const { storage, options } = await backend()
    const { result } = renderCloudSync('alice', options)
    await waitFor(() => expect(result.current.status?.isInitialized).toBe(true))
    expect(result.current.status?.userId).toBe('alice')
    expect(result.current.status?.pendingChanges).toBe(0)

    await act(() => storage.put('notes', { id: 'n1', userId: 'alice', title: 'A' }))
    await waitFor(() => expect(result.current.status?.pendingChanges).toBe(1))
    expect(result.current.status?.phase).toBe('buffering')
    expect(result.current.getSyncStatus()).toBe(result.current.status)
  })

  it('forceSync pushes at once and reports success with the new status', async () => {
    const { storage, adapter, options } = await backend()
    const { result } = renderCloudSync('alice', options)
    await waitFor(() => expect(result.current.autoSync).not.toBeNull())
    await act(() => storage.put('notes', { id: 'n1', userId: 'alice', title: 'A' }))

    let outcome: Awaited<ReturnType<typeof result.current.sync>> | undefined
    let done: boolean | undefined
    await act(async () => {
      done = await result.current.forceSync()
    })
    expect(done).toBe(true)
    await act(async () => {
      outcome = await result.current.sync()
    })
    expect(outcome).toMatchObject({ success: true, value: { pendingChanges: 0 } })
    expect(adapter.applied.map((entry) => entry.change.key)).toEqual(['n1'])
    await waitFor(() => expect(result.current.status?.lastSyncTime).not.toBeNull())
  })

  it('forceSync reports a failed attempt instead of throwing', async () => {
    const { storage, adapter, options } = await backend()
    const failing = createFaultyAdapter(adapter, { seed: 3, failureRate: 1, weights: { server: 1 } })
    const { result } = renderCloudSync('alice', { ...options, adapter: failing })
    await waitFor(() => expect(result.current.autoSync).not.toBeNull())
    await act(() => storage.put('notes', { id: 'n1', userId: 'alice', title: 'A' }))
    let outcome: Awaited<ReturnType<typeof result.current.sync>> | undefined
    await act(async () => {
      outcome = await result.current.sync()
    })
    expect(outcome?.success).toBe(false)
    expect(outcome?.success === false && outcome.error).toMatch(/\S/)
    expect(adapter.applied).toHaveLength(0)
    await waitFor(() => expect(result.current.status?.consecutiveFailures).toBe(1))
  })

  it.each([
    ['a 401 (auth)', { kind: 'auth', retryable: false, status: 401 }],
    ['a 403 (auth)', { kind: 'auth', retryable: false, status: 403 }],
    ['a network error', { kind: 'network', retryable: true }],
  ] as const)('forceSync and triggerBackup resolve false after %s', async (_label, failure) => {
    const { storage, options } = await backend()
    const failing = createMemoryAdapter({
      onPush() {
        throw new AdapterError('[autosync] [memory] refused', failure)
      },
    })
    const refusingBackup = {
      ...failing,
      backup: () => Promise.reject(new AdapterError('[autosync] [memory] refused', failure)),
    }
    const { result } = renderCloudSync('alice', { ...options, adapter: refusingBackup })
    await waitFor(() => expect(result.current.autoSync).not.toBeNull())
    await act(() => storage.put('notes', { id: 'n1', userId: 'alice', title: 'A' }))
    let synced: boolean | undefined
    let backedUp: boolean | undefined
    await act(async () => {
      synced = await result.current.forceSync()
      backedUp = await result.current.triggerBackup()
    })
    expect(synced).toBe(false)
    expect(backedUp).toBe(false)
  })

  it('forceSync resolves false while the app disabled auto-sync, and sends nothing', async () => {
    const { storage, adapter, options } = await backend()
    const { result } = renderCloudSync('alice', options)
    await waitFor(() => expect(result.current.autoSync).not.toBeNull())
    await act(() => storage.put('notes', { id: 'n1', userId: 'alice', title: 'A' }))
    result.current.autoSync!.setEnabled(false)
    expect(await result.current.forceSync()).toBe(false)
    expect(adapter.applied).toHaveLength(0)
    result.current.autoSync!.setEnabled(true)
    let synced: boolean | undefined
    await act(async () => {
      synced = await result.current.forceSync()
    })
    expect(synced).toBe(true)
  })

  it('triggerBackup stores a snapshot of the user records', async () => {
    const { storage, adapter, options } = await backend()
    await storage.put('notes', { id: 'n1', userId: 'alice', title: 'A' })
    await storage.put('notes', { id: 'n2', userId: 'alice', title: 'B' })
    const { result } = renderCloudSync('alice', options)
    await waitFor(() => expect(result.current.autoSync).not.toBeNull())
    let outcome: Awaited<ReturnType<typeof result.current.backup>> | undefined
    await act(async () => {
      outcome = await result.current.backup()
    })
    expect(outcome).toMatchObject({ success: true, value: { records: 2 } })
    expect(adapter.backups).toHaveLength(1)
    expect(adapter.backups[0]?.tables.notes).toHaveLength(2)
  })

  it('with twoWay() and nothing pending, forceSync reports the pull: false when the server cannot be reached', async () => {
    const { options } = await backend()
    const unreachable = createMemoryAdapter({
      onPull() {
        throw new AdapterError('[autosync] [memory] fetch failed (the server cannot be reached)', {
          kind: 'network',
          retryable: true,
        })
      },
    })
    const { result } = renderCloudSync('alice', { ...options, adapter: unreachable, plugins: [twoWay()] })
    await waitFor(() => expect(result.current.autoSync).not.toBeNull())
    expect(result.current.status.pendingChanges).toBe(0)
    let outcome: Awaited<ReturnType<typeof result.current.sync>> | undefined
    await act(async () => {
      outcome = await result.current.sync()
    })
    expect(outcome).toEqual({ success: false, error: expect.stringContaining('the server cannot be reached') })
    expect(await result.current.forceSync()).toBe(false)
  })

  it('forceSync through restAdapter to a server that is not there: false with twoWay(), the documented true without', async () => {
    const { options } = await backend()
    // A loopback port that was just free: nothing answers there, as with a server down or a CORS refusal.
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    const adapter = restAdapter({
      baseUrl: `http://127.0.0.1:${port}/sync/`,
      getToken: () => 'token',
      timeoutMs: 2_000,
    })
    // happy-dom's fetch prints each refused connection to its page console (four ECONNREFUSED lines): expected.

    const twoWayHook = renderCloudSync('alice', { ...options, adapter, plugins: [twoWay({ live: false })] })
    await waitFor(() => expect(twoWayHook.result.current.autoSync).not.toBeNull())
    expect(twoWayHook.result.current.status.pendingChanges).toBe(0)
    let outcome: Awaited<ReturnType<typeof twoWayHook.result.current.sync>> | undefined
    await act(async () => {
      outcome = await twoWayHook.result.current.sync()
    })
    expect(outcome).toMatchObject({ success: false })
    let forced: boolean | undefined
    await act(async () => {
      forced = await twoWayHook.result.current.forceSync()
    })
    expect(forced).toBe(false)
    twoWayHook.unmount()

    // Push-only and nothing pending: nothing is sent, and true says only that nothing waits (README).
    const pushOnly = renderCloudSync('alice', { ...options, adapter })
    await waitFor(() => expect(pushOnly.result.current.autoSync).not.toBeNull())
    await act(async () => {
      forced = await pushOnly.result.current.forceSync()
    })
    expect(forced).toBe(true)
    // With a change pending, the push meets the missing server: false.
    await act(() => options.storage.put('notes', { id: 'n1', userId: 'alice', title: 'A' }))
    await act(async () => {
      forced = await pushOnly.result.current.forceSync()
    })
    expect(forced).toBe(false)
    pushOnly.unmount()
  })

  it('triggerRestore brings a backup back with twoWay(), and reports a refusal', async () => {
    const { storage, adapter, options } = await backend()
    await storage.put('notes', { id: 'n1', userId: 'alice', title: 'A' })
    const { result } = renderCloudSync('alice', { ...options, plugins: [twoWay()] })
    await waitFor(() => expect(result.current.autoSync).not.toBeNull())
    await act(async () => {
      await result.current.forceSync()
      await result.current.triggerBackup()
    })
    await act(() => storage.put('notes', { id: 'n1', userId: 'alice', title: 'unsent' }))
    let refused: Awaited<ReturnType<typeof result.current.restore>> | undefined
    await act(async () => {
      refused = await result.current.restore()
    })
    expect(refused).toMatchObject({ success: false, error: expect.stringContaining('discardPending') })
    expect(await result.current.triggerRestore()).toBe(false)
    let restored: boolean | undefined
    await act(async () => {
      restored = await result.current.triggerRestore({ discardPending: true })
    })
    expect(restored).toBe(true)
    expect(await storage.get('notes', 'n1')).toEqual({ id: 'n1', userId: 'alice', title: 'A' })
    expect(adapter.backups).toHaveLength(1)
  })

  it('runs nothing without a user and reports why', async () => {
    const { options } = await backend()
    const { result } = renderCloudSync(null, options)
    // The seed's status object even without a user: never null.
    expect(result.current.status).toMatchObject({ isInitialized: false, userId: null })
    expect(result.current.getSyncStatus()).toMatchObject({ isInitialized: false })
    expect(result.current.autoSync).toBeNull()
    const outcome = await result.current.sync()
    expect(outcome).toEqual({ success: false, error: expect.stringContaining('[autosync] [react]') })
    expect(await result.current.forceSync()).toBe(false)
    expect(await result.current.triggerBackup()).toBe(false)
  })

  it('without options and without configureAutoSync, says what is missing instead of running', async () => {
    const { result } = renderHook(() => useCloudSync('alice'))
    expect(result.current.autoSync).toBeNull()
    expect(result.current.status).toMatchObject({ isInitialized: false })
    expect(await result.current.sync()).toEqual({
      success: false,
      error: expect.stringContaining('configureAutoSync'),
    })
  })

  it('stops the engine on unmount: later writes are not pushed', async () => {
    const { storage, adapter, clock, options } = await backend()
    const { result, unmount } = renderCloudSync('alice', options)
    await waitFor(() => expect(result.current.status?.isInitialized).toBe(true))
    const engine = result.current.autoSync!
    unmount()
    await waitFor(() => expect(engine.getStatus().phase).toBe('stopped'))
    await storage.put('notes', { id: 'late', userId: 'alice', title: 'L' })
    await clock.advance(120_000)
    expect(adapter.requests).toHaveLength(0)
    expect(await storage.outbox.count()).toBe(1)
  })

  it('on user change stops the old engine and starts one for the new user', async () => {
    const { storage, adapter, options } = await backend()
    const { result, rerender } = renderCloudSync('alice', options)
    await waitFor(() => expect(result.current.status?.isInitialized).toBe(true))
    const first = result.current.autoSync!
    await act(() => storage.put('notes', { id: 'a1', userId: 'alice', title: 'A' }))

    rerender({ user: 'bob' })
    await waitFor(() => expect(result.current.status?.userId).toBe('bob'))
    await waitFor(() => expect(result.current.status?.isInitialized).toBe(true))
    expect(result.current.autoSync).not.toBe(first)
    await waitFor(() => expect(first.getStatus().phase).toBe('stopped'))

    await act(() => storage.put('notes', { id: 'b1', userId: 'bob', title: 'B' }))
    await act(async () => {
      await result.current.forceSync()
    })
    // Only bob's change went out: alice's stays queued until she is active again.
    expect(adapter.applied.map((entry) => [entry.userId, entry.change.key])).toEqual([['bob', 'b1']])
    expect(await storage.outbox.count({ userId: 'alice' })).toBe(1)
  })

  it('survives strict mode double effects with one running engine', async () => {
    const { storage, adapter, clock, options } = await backend()
    const { result } = renderHook(() => useCloudSync('alice', options), { wrapper: StrictMode })
    await waitFor(() => expect(result.current.status?.isInitialized).toBe(true))
    await act(() => storage.put('notes', { id: 'n1', userId: 'alice', title: 'A' }))
    await act(() => clock.advance(30_000))
    // Exactly one engine pushed the change, once.
    expect(adapter.requests).toHaveLength(1)
    expect(adapter.applied.map((entry) => entry.change.key)).toEqual(['n1'])
  })
})
