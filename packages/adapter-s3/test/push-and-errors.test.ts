import type { PushBatch } from '@autosync/core'
import { type AdapterError, ValidationError } from '@autosync/core'
import { createFakeClock } from '@autosync/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { s3Adapter } from '../src'
import { adapterContext } from './support/context'
import { accessKeyId, bucket, secretAccessKey, startHarness } from './support/harness'

const harness = await startHarness()
afterAll(() => harness.close())

let counter = 0
const batch = (userId: string, count = 2, clientId = 'device-a'): PushBatch => {
  const batchId = `batch-${++counter}`
  return {
    batchId,
    clientId,
    userId,
    changes: Array.from({ length: count }, (_, index) => ({
      changeId: `${clientId}:${counter * 100 + index}`,
      table: 'notes',
      key: `n${index}`,
      op: 'put' as const,
      value: { id: `n${index}`, text: `batch ${counter}` },
      seq: counter * 100 + index,
      timestamp: 1_700_000_000_000 + counter,
    })),
  }
}
const adapter = (overrides: Partial<Parameters<typeof s3Adapter>[0]> = {}) =>
  s3Adapter({ bucket, endpoint: harness.layer.url, credentials: { accessKeyId, secretAccessKey }, ...overrides })
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as AdapterError,
  )

describe('push', () => {
  it('writes one segment per batch in the per-user layout, read back identically by the AWS SDK', async () => {
    const pushed = batch('layout user@example.com')
    const result = await adapter().push(pushed, adapterContext('layout user@example.com'))
    expect(result.accepted).toEqual(pushed.changes.map((change) => change.changeId))
    const keys = await harness.keys('autosync/layout user@example.com/')
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatch(/^autosync\/layout user@example\.com\/log\/\d{15}-device-a-batch-\d+\.json$/)
    expect(await harness.read(keys[0]!)).toEqual({
      format: 'autosync-s3-log/1',
      userId: 'layout user@example.com',
      clientId: 'device-a',
      batchId: pushed.batchId,
      changes: pushed.changes,
    })
    const name = keys[0]!.split('/').pop()!.replace('.json', '')
    expect(result.revisions).toEqual({
      [pushed.changes[0]!.changeId]: `${name}#00000`,
      [pushed.changes[1]!.changeId]: `${name}#00001`,
    })
  })

  it('acknowledges a replay after a lost response: 412 on the same segment, exactly one copy', async () => {
    const s3 = adapter()
    const pushed = batch('lost-ack')
    harness.layer.dropResponseAfterStoring((method, path) => method === 'PUT' && path.includes('/lost-ack/log/'))
    const first = await failureOf(s3.push(pushed, adapterContext('lost-ack')))
    expect(first?.kind).toBe('network')
    const before = harness.layer.state.byMethod.PUT ?? 0
    const refusedBefore = harness.layer.state.preconditionFailures
    const replay = await s3.push(pushed, adapterContext('lost-ack'))
    // The replay was written with If-None-Match: * to the same name, met 412, and counted as the ack.
    expect(harness.layer.state.preconditionFailures).toBe(refusedBefore + 1)
    expect(replay.accepted).toEqual(pushed.changes.map((change) => change.changeId))
    expect(harness.layer.state.byMethod.PUT).toBe(before + 1)
    expect(await harness.keys('autosync/lost-ack/')).toHaveLength(1)
  })

  it('maps 503 SlowDown with Retry-After to rate-limited, other 5xx to retryable server errors', async () => {
    harness.layer.failNext((method) => method === 'PUT', { status: 503, code: 'SlowDown', retryAfter: '4' })
    const slow = await failureOf(adapter().push(batch('errors'), adapterContext('errors')))
    expect([slow?.kind, slow?.retryable, slow?.retryAfterMs, slow?.status]).toEqual(['rate-limited', true, 4000, 503])
    harness.layer.failNext((method) => method === 'PUT', { status: 502, code: 'BadGateway' })
    const server = await failureOf(adapter().push(batch('errors'), adapterContext('errors')))
    expect([server?.kind, server?.retryable]).toEqual(['server', true])
  })

  it('names a missing bucket; the attempt fails and is retried later, nothing dead-lettered', async () => {
    const error = await failureOf(adapter({ bucket: 'no-such-bucket' }).push(batch('errors'), adapterContext('errors')))
    expect([error?.kind, error?.retryable, error?.status]).toEqual(['protocol', true, 404])
    expect(error?.message).toContain('in bucket "no-such-bucket" answered 404 NoSuchBucket')
    expect(error?.message).toContain('is the bucket or endpoint wrong?')
  })

  it('refreshes credentials once after SignatureDoesNotMatch, and never puts secrets in messages', async () => {
    const calls: string[] = []
    const provider = async () => {
      calls.push('call')
      return { accessKeyId, secretAccessKey: calls.length === 1 ? 'rotated-away-secret' : secretAccessKey }
    }
    const result = await adapter({ credentials: provider }).push(batch('refresh'), adapterContext('refresh'))
    expect(result.accepted).toHaveLength(2)
    expect(calls).toHaveLength(2)
    const stale = await failureOf(
      adapter({ credentials: { accessKeyId, secretAccessKey: 'wrong-secret' } }).push(
        batch('refresh'),
        adapterContext('refresh'),
      ),
    )
    expect([stale?.kind, stale?.retryable, stale?.status]).toEqual(['auth', false, 403])
    expect(stale?.message).toContain('SignatureDoesNotMatch')
    expect(JSON.stringify({ message: stale?.message, cause: String(stale?.cause) })).not.toMatch(
      /wrong-secret|Signature=|X-Amz-Signature/,
    )
  })

  it('asks the provider again when temporary credentials are about to expire', async () => {
    const clock = createFakeClock({ start: Date.now() })
    let calls = 0
    const s3 = adapter({
      clock,
      credentials: () => {
        calls++
        return { accessKeyId, secretAccessKey, expiration: clock.now() + 10 * 60_000 }
      },
    })
    await s3.push(batch('expiry'), adapterContext('expiry'))
    await s3.push(batch('expiry'), adapterContext('expiry'))
    expect(calls).toBe(1)
    await clock.advance(9.5 * 60_000)
    await s3.push(batch('expiry'), adapterContext('expiry'))
    expect(calls).toBe(2)
  })

  it('fails as auth when the device clock is skewed by more than 15 minutes', async () => {
    const clock = createFakeClock({ start: Date.now() - 20 * 60_000 })
    const error = await failureOf(adapter({ clock }).push(batch('skew'), adapterContext('skew')))
    expect([error?.kind, error?.status]).toEqual(['auth', 403])
    expect(error?.message).toContain('RequestTimeTooSkewed')
  })

  it('refuses user ids that could leave the user folder before any request', async () => {
    const before = harness.layer.state.requests
    for (const userId of ['', '.', '..', '../other', 'a/b', 'back\\slash', 'nul\u0000']) {
      const error = await failureOf(adapter().push(batch(userId), adapterContext(userId)))
      expect(ValidationError.isInstance(error), JSON.stringify(userId)).toBe(true)
    }
    expect(harness.layer.state.requests).toBe(before)
  })
})
