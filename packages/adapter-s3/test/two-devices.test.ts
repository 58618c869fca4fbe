import { AdapterError } from '@autosync/core'
import { createFakeClock } from '@autosync/core/testing'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, describe, expect, it } from 'vitest'
import { s3Adapter } from '../src'
import { adapterContext } from './support/context'
import { openDevice } from './support/device'
import { accessKeyId, bucket, secretAccessKey, startHarness } from './support/harness'

const harness = await startHarness()
afterAll(() => harness.close())

const adapter = (extra: Partial<Parameters<typeof s3Adapter>[0]> = {}) =>
  s3Adapter({ bucket, endpoint: harness.layer.url, credentials: { accessKeyId, secretAccessKey }, ...extra })
const putRaw = (key: string, body: string) =>
  harness.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))

describe('core two-way sync through the bucket (Node, fake-indexeddb)', () => {
  it('two devices converge, and a lost acknowledgement leaves exactly one copy', async () => {
    const userId = 'converge'
    const one = await openDevice(adapter(), userId)
    const two = await openDevice(adapter(), userId)
    try {
      await one.storage.put('notes', { id: 'a', userId, text: 'from one' })
      harness.layer.dropResponseAfterStoring((method, path) => method === 'PUT' && path.includes(`/${userId}/log/`))
      await one.autoSync.syncNow().catch(() => {})
      await one.autoSync.syncNow()
      expect(one.autoSync.getStatus().pendingChanges).toBe(0)
      expect(await harness.keys(`autosync/${userId}/log/`)).toHaveLength(1)
      await two.storage.put('notes', { id: 'b', userId, text: 'from two' })
      await two.autoSync.syncNow()
      await two.autoSync.pull()
      await one.autoSync.pull()
      expect(await one.notes()).toEqual(await two.notes())
      expect(Object.keys(await one.notes()).sort()).toEqual(['a', 'b'])
    } finally {
      await one.close()
      await two.close()
    }
  })

  it('settles a concurrent edit the same way on both devices (resolved on pull, no conditional writes)', async () => {
    const userId = 'conflict'
    const one = await openDevice(adapter(), userId)
    const two = await openDevice(adapter(), userId)
    try {
      await one.storage.put('notes', { id: 'c', userId, text: 'original' })
      await one.autoSync.syncNow()
      await two.autoSync.pull()
      await one.storage.put('notes', { id: 'c', userId, text: 'edit on one' })
      await two.storage.put('notes', { id: 'c', userId, text: 'edit on two' })
      await one.autoSync.syncNow()
      await two.autoSync.syncNow()
      for (let round = 0; round < 3; round++) {
        for (const device of [one, two]) {
          await device.autoSync.pull()
          await device.autoSync.syncNow()
        }
      }
      expect(await one.notes()).toEqual(await two.notes())
      expect(['edit on one', 'edit on two']).toContain((await one.notes()).c?.text)
    } finally {
      await one.close()
      await two.close()
    }
  })

  it('restores a backup and pulls only what was written after it', async () => {
    const userId = 'restore-cursor'
    const clock = createFakeClock({ start: Date.now() })
    const s3 = adapter({ clock })
    const context = adapterContext(userId, 'writer')
    const put = (key: string) =>
      s3.push(
        {
          batchId: `restore-${key}`,
          clientId: 'writer',
          userId,
          changes: [
            { changeId: `writer:${key}`, table: 'notes', key, op: 'put', value: { id: key }, seq: 1, timestamp: 1 },
          ],
        },
        context,
      )
    await put('before')
    await clock.advance(1_000)
    const snapshot = {
      backupId: 'b1',
      clientId: 'writer',
      userId,
      createdAt: clock.now(),
      tables: { notes: [{ id: 'before' }] },
    }
    await s3.backup!(snapshot, context)
    await clock.advance(1_000)
    await put('after')
    const restored = await s3.restore!({ userId }, context)
    expect(restored.snapshot).toEqual(snapshot)
    const pulled = await s3.pull!({ cursor: restored.cursor ?? null, limit: 100, userId }, context)
    expect(pulled.changes.map((change) => change.key)).toEqual(['after'])
  })

  it('sends unreadable log objects to dead letters and still applies the rest of the log', async () => {
    const userId = 'bad-input'
    const writer = adapter()
    const push = (key: string, value: Record<string, unknown>) =>
      writer.push(
        {
          batchId: `batch-${key}`,
          clientId: 'writer',
          userId,
          changes: [
            { changeId: `writer:${key}`, table: 'notes', key, op: 'put', value, seq: 1, timestamp: Date.now() },
          ],
        },
        adapterContext(userId, 'writer'),
      )
    await push('good-1', { id: 'good-1', userId })
    const log = `autosync/${userId}/log`
    const position = String(Date.now()).padStart(15, '0')
    const segment = (owner: string, value: string) =>
      `{"format":"autosync-s3-log/1","userId":"${owner}","clientId":"x","batchId":"y","changes":[{"changeId":"x:1","table":"notes","key":"p","op":"put","value":${value},"seq":1,"timestamp":1}]}`
    await putRaw(`${log}/${position}-x-not-json.json`, '{not json')
    await putRaw(`${log}/${position}-x-other-user.json`, segment('mallory', '{"id":"p","userId":"mallory"}'))
    await putRaw(
      `${log}/${position}-x-proto.json`,
      segment(userId, `{"id":"p","userId":"${userId}","__proto__":{"admin":true}}`),
    )
    await putRaw(`${log}/${position}-x-too-large.json`, segment(userId, `{"id":"p","pad":"${'x'.repeat(5_000)}"}`))
    // One hostile change beside a valid one in the same segment: the valid one still applies.
    await putRaw(
      `${log}/${position}-x-poisoned.json`,
      `{"format":"autosync-s3-log/1","userId":"${userId}","clientId":"x","batchId":"z","changes":[{"changeId":"x:2","table":{"toString":1},"key":"p","op":"put","value":{},"seq":2,"timestamp":1},{"changeId":"x:3","table":"notes","key":{"toString":1},"op":"put","value":{},"seq":3,"timestamp":1},{"changeId":"x:4","table":"notes","key":"good-3","op":"put","value":{"id":"good-3","userId":"${userId}"},"seq":4,"timestamp":1}]}`,
    )
    await push('good-2', { id: 'good-2', userId })

    const reader = await openDevice(adapter({ maxSegmentBytes: 4_096 }), userId)
    try {
      await reader.autoSync.pull()
      expect(Object.keys(await reader.notes()).sort()).toEqual(['good-1', 'good-2', 'good-3'])
      const letters = await reader.autoSync.deadLetters.list()
      expect(letters.every((letter) => letter.direction === 'pull')).toBe(true)
      const reasons = letters.map((letter) => letter.reason).join('\n')
      for (const expected of [
        'not JSON',
        'names another user',
        '__proto__',
        'larger than 4096 bytes',
        'table is not a string',
        'key is not a string or a number',
      ])
        expect(reasons).toContain(expected)
      expect(({} as Record<string, unknown>).admin).toBeUndefined()
    } finally {
      await reader.close()
    }
  })

  it('fails a listing whose continuation token loops as protocol', async () => {
    const userId = 'looping'
    harness.layer.state.loopListings = true
    try {
      const error = await adapter().pull!({ cursor: null, limit: 10, userId }, adapterContext(userId)).then(
        () => undefined,
        (caught: unknown) => caught as AdapterError,
      )
      expect(AdapterError.isInstance(error)).toBe(true)
      expect([error?.kind, error?.retryable]).toEqual(['protocol', false])
      expect(error?.message).toContain('loops')
    } finally {
      harness.layer.state.loopListings = false
    }
  })
})
