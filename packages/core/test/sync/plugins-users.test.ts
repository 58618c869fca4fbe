import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import { AutoSyncError } from '../../src/errors'
import { skipForeignUsers, skipTables } from '../../src/sync/plugins'
import { createMemoryAdapter } from '../../src/testing/memory-adapter'
import { createFixture } from './test-fixture'

describe('plugins', () => {
  it('skipTables keeps a table out of the outbox and reports change-skipped', async () => {
    const fixture = await createFixture({ plugins: [skipTables(['drafts'])] })
    await fixture.storage.put('drafts', { id: 'd1', userId: 'u1' })
    await fixture.write('a')
    expect(await fixture.storage.outbox.count({ userId: 'u1' })).toBe(1)
    expect(fixture.events.find((event) => event.type === 'change-skipped')).toMatchObject({
      table: 'drafts',
      key: 'd1',
      plugin: 'skip-tables',
      reason: 'table drafts is local-only',
    })
  })

  it('skipForeignUsers queues a record of another user under its owner and pushes it only while that user is active', async () => {
    const fixture = await createFixture({ plugins: [skipForeignUsers()] })
    await fixture.storage.put('notes', { id: 'x', userId: 'u2' })
    await fixture.storage.put('notes', { id: 'y', userId: 'u1' })
    expect(await fixture.storage.outbox.count()).toBe(2)
    expect(fixture.status().pendingChanges).toBe(1)
    await fixture.autoSync.syncNow()
    expect(fixture.adapter.requests.map((request) => [request.userId, request.changes.map((c) => c.key)])).toEqual([
      ['u1', ['y']],
    ])
    await fixture.autoSync.switchUser('u2')
    expect(fixture.status().pendingChanges).toBe(1)
    await fixture.autoSync.syncNow()
    expect(fixture.adapter.requests.at(-1)).toMatchObject({ userId: 'u2', changes: [{ key: 'x' }] })
    expect(fixture.adapter.records('u2').get('notes')?.get('x')).toEqual({ id: 'x', userId: 'u2' })
    expect(fixture.eventTypes()).not.toContain('change-skipped')
  })

  it('skips already queued changes at push time and acknowledges them locally', async () => {
    const fixture = await createFixture()
    await fixture.write('secret')
    await fixture.write('public')
    const unuse = fixture.autoSync.use({ name: 'no-secrets', skip: (event) => event.key === 'secret' })
    await fixture.autoSync.syncNow()
    expect(fixture.adapter.requests[0]?.changes.map((change) => change.key)).toEqual(['public'])
    expect(fixture.status().pendingChanges).toBe(0)
    expect(fixture.events.find((event) => event.type === 'change-skipped')).toMatchObject({
      plugin: 'no-secrets',
      reason: 'no-secrets',
      key: 'secret',
    })
    unuse()
    await fixture.write('secret')
    expect(await fixture.storage.outbox.count()).toBe(1)
  })

  it('transforms changes before push; null drops and acknowledges them', async () => {
    const fixture = await createFixture({
      plugins: [
        {
          name: 'redact',
          transform: (change) =>
            change.key === 'drop' ? null : { ...change, value: { ...change.value, text: '[redacted]' } },
        },
      ],
    })
    await fixture.write('keep')
    await fixture.write('drop')
    await fixture.autoSync.syncNow()
    expect(fixture.adapter.requests[0]?.changes.map((change) => [change.key, change.value?.text])).toEqual([
      ['keep', '[redacted]'],
    ])
    expect(fixture.status().pendingChanges).toBe(0)
  })

  it('calls setup with the instance and its teardown on unregister', async () => {
    const fixture = await createFixture()
    const teardown = vi.fn()
    const setup = vi.fn(() => teardown)
    const unuse = fixture.autoSync.use({ name: 'hooks', setup })
    expect(setup).toHaveBeenCalledWith(fixture.autoSync, expect.objectContaining({ extend: expect.any(Function) }))
    unuse()
    expect(teardown).toHaveBeenCalledOnce()
  })
})

describe('users', () => {
  it('switchUser aborts the in-flight push, keeps the previous user queued and pushes only the next user', async () => {
    const fixture = await createFixture()
    fixture.steps.push(
      () => new Promise((_, reject) => fixture.clock.setTimeout(() => reject(new Error('late')), 60_000)),
    )
    await fixture.write('mine')
    await fixture.storage.put('notes', { id: 'theirs', userId: 'u2' })
    const running = fixture.autoSync.syncNow()
    await fixture.clock.flush()
    expect(fixture.status().phase).toBe('syncing')
    // The backend answers only after a minute; the switch must not wait for an ack to move on.
    const switching = fixture.autoSync.switchUser('u2')
    await fixture.clock.advance(60_000)
    await switching
    await running
    expect(fixture.events.find((event) => event.type === 'user-switched')).toMatchObject({
      previousUserId: 'u1',
      userId: 'u2',
    })
    expect(fixture.status()).toMatchObject({ userId: 'u2', consecutiveFailures: 0 })
    expect(fixture.events.filter((event) => event.type === 'sync-failed')).toEqual([])
    await fixture.autoSync.syncNow()
    expect(fixture.adapter.records('u2').get('notes')?.has('theirs')).toBe(true)
    expect(fixture.adapter.records('u1').get('notes')?.has('mine')).toBeFalsy()
    expect(await fixture.storage.outbox.count({ userId: 'u1' })).toBe(1)
    expect(fixture.adapter.requests.every((batch, index) => index === 0 || batch.userId === 'u2')).toBe(true)
    await fixture.autoSync.switchUser('u1')
    await fixture.autoSync.syncNow()
    expect(fixture.adapter.records('u1').get('notes')?.has('mine')).toBe(true)
  })

  it('purgeUser removes one user’s pending changes', async () => {
    const fixture = await createFixture()
    await fixture.write('a')
    await fixture.storage.put('notes', { id: 'b', userId: 'u2' })
    await fixture.autoSync.purgeUser('u1')
    expect(fixture.status().pendingChanges).toBe(0)
    expect(await fixture.storage.outbox.count({ userId: 'u2' })).toBe(1)
  })
})

describe('backup', () => {
  it('sends a snapshot of the active user’s synced records', async () => {
    const fixture = await createFixture()
    await fixture.write('a')
    await fixture.storage.put('notes', { id: 'b', userId: 'u2' })
    await fixture.storage.put('drafts', { id: 'd', userId: 'u1' })
    const result = await fixture.autoSync.backup()
    expect(result.records).toBe(2)
    expect(fixture.adapter.backups[0]?.tables).toEqual({
      notes: [{ id: 'a', userId: 'u1', text: 'a' }],
      drafts: [{ id: 'd', userId: 'u1' }],
    })
    expect(fixture.eventTypes()).toContain('backup-succeeded')
  })

  it('throws a typed error when the adapter cannot back up', async () => {
    const fixture = await createFixture()
    const { backup: _, ...rest } = createMemoryAdapter()
    const autoSync = (await import('../../src/sync/auto-sync')).createAutoSync({
      storage: fixture.storage,
      adapter: { ...rest, capabilities: { ...rest.capabilities, backup: false } },
      userId: 'u1',
    })
    await expect(autoSync.backup()).rejects.toSatisfy((error) => AutoSyncError.isInstance(error))
    await expect(autoSync.backup()).rejects.toMatchObject({
      code: 'backup-unsupported',
      message:
        '[autosync] [sync] the "memory" adapter cannot back up (no backup() or capability backup); nothing was sent',
    })
  })
})

describe('status and events', () => {
  it('publishes frozen snapshots and survives throwing listeners', async () => {
    const fixture = await createFixture()
    fixture.autoSync.subscribe(() => {
      throw new Error('subscriber bug')
    })
    fixture.autoSync.on('sync-started', () => {
      throw new Error('listener bug')
    })
    await fixture.write('a')
    await fixture.autoSync.syncNow()
    const status = fixture.autoSync.getStatus()
    expect(Object.isFrozen(status)).toBe(true)
    expect(Object.keys(status).slice(0, 8)).toEqual([
      'isEnabled',
      'isInitialized',
      'userId',
      'lastSyncTime',
      'hasPendingSync',
      'consecutiveFailures',
      'bufferedEvents',
      'isRetrying',
    ])
    expect(fixture.statuses.length).toBeGreaterThan(3)
    expect(fixture.eventTypes()).toContain('sync-succeeded')
    expect(fixture.events.find((event) => event.type === 'change-captured')).toMatchObject({
      event: { key: 'a', origin: 'local' },
    })
    const errors = fixture.messages.filter((message) => message.level === 'error').map((message) => message.text)
    expect(errors.some((text) => text.includes('status subscriber threw'))).toBe(true)
    expect(errors.some((text) => text.includes('"sync-started" listener threw'))).toBe(true)
  })

  it('persists lastSyncTime in the metadata store', async () => {
    const fixture = await createFixture()
    await fixture.write('a')
    await fixture.autoSync.syncNow()
    await fixture.clock.flush()
    expect(await fixture.storage.metadata.get('autosync.lastSyncTime.u1')).toBe(fixture.t0)
    await fixture.autoSync.stop()
    expect(fixture.status().phase).toBe('stopped')
  })
})

describe('an adapter that ignores the abort signal', () => {
  it('cannot hold up stop() or switchUser()', async () => {
    const fixture = await createFixture()
    fixture.steps.push(() => new Promise(() => {}))
    await fixture.write('a')
    const running = fixture.autoSync.syncNow()
    await fixture.clock.flush()
    expect(fixture.status().phase).toBe('syncing')
    await fixture.autoSync.switchUser('u2')
    await running
    expect(fixture.status()).toMatchObject({ userId: 'u2', consecutiveFailures: 0, phase: 'idle' })
    await fixture.autoSync.stop()
    expect(fixture.status().phase).toBe('stopped')
  })
})

describe('counting', () => {
  it('a failed count says so in a sentence and keeps the last counts', async () => {
    const fixture = await createFixture()
    await fixture.write('n1')
    expect(fixture.status().pendingChanges).toBe(1)
    fixture.storage.outbox.count = () => Promise.reject(new Error('disk gone'))
    await fixture.autoSync.deadLetters.discard('none').catch(() => {})
    await fixture.clock.flush()
    expect(fixture.messages).toContainEqual({
      level: 'warn',
      text: '[autosync] [sync] counting the pending changes and dead letters failed; the status shows the last counts Error: disk gone',
    })
    expect(fixture.status().pendingChanges).toBe(1)
  })
})
