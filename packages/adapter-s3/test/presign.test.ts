import { AdapterError, type BackupSnapshot } from '@autosync/core'
import { afterAll, describe, expect, it } from 'vitest'
import { type S3PresignRequest, s3Adapter } from '../src'
import { adapterContext } from './support/context'
import { fold, pullAll } from './support/fold'
import { bucket, startHarness } from './support/harness'
import { startPresignEndpoint } from './support/presign-endpoint'

const harness = await startHarness()
const endpoint = await startPresignEndpoint(harness.layer.url)
afterAll(async () => {
  await endpoint.close()
  await harness.close()
})

/** The browser side: asks the app backend to sign each request, with its own session, never a secret. */
const presignAs = (sessionUser: string) => async (request: S3PresignRequest) => {
  const response = await fetch(`${endpoint.url}/presign`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sessionUser}` },
    body: JSON.stringify(request),
  })
  if (!response.ok)
    throw new AdapterError('[autosync] [s3] presigning refused', {
      kind: 'auth',
      retryable: false,
      status: response.status,
    })
  return (await response.json()) as { url: string }
}

describe('presigned mode', () => {
  it('pushes, pulls, backs up and restores through URLs signed by the app backend', async () => {
    const userId = 'presigned user'
    const s3 = s3Adapter({ bucket, endpoint: harness.layer.url, presign: presignAs(userId) })
    const context = adapterContext(userId)
    const pushed = await s3.push(
      {
        batchId: 'p1',
        clientId: 'browser',
        userId,
        changes: [
          { changeId: 'browser:1', table: 'notes', key: 'n1', op: 'put', value: { id: 'n1' }, seq: 1, timestamp: 1 },
        ],
      },
      context,
    )
    expect(pushed.accepted).toEqual(['browser:1'])
    expect(fold(new Map(), (await pullAll(s3, userId, null)).changes)).toEqual(new Map([['notes/n1', { id: 'n1' }]]))
    const snapshot: BackupSnapshot = {
      backupId: 'b1',
      clientId: 'browser',
      userId,
      createdAt: 5,
      tables: { notes: [{ id: 'n1' }] },
    }
    const backup = await s3.backup!(snapshot, context)
    expect(backup.location).not.toMatch(/X-Amz|Signature/i)
    expect((await s3.restore!({ userId }, context)).snapshot).toEqual(snapshot)
    expect(endpoint.signedCount()).toBeGreaterThanOrEqual(5)
    expect(await harness.keys('autosync/presigned user/log/')).toHaveLength(1)
  })

  it('cannot reach another user’s folder: the backend refuses to sign it', async () => {
    const s3 = s3Adapter({ bucket, endpoint: harness.layer.url, presign: presignAs('mallory') })
    const error = await s3.pull!(
      { cursor: null, limit: 10, userId: 'presigned user' },
      adapterContext('presigned user'),
    ).then(
      () => undefined,
      (caught: unknown) => caught as AdapterError,
    )
    expect(error?.kind).toBe('auth')
  })

  it('keeps presigned URLs out of error messages', async () => {
    const userId = 'presigned-errors'
    const s3 = s3Adapter({ bucket, endpoint: harness.layer.url, presign: presignAs(userId) })
    harness.layer.failNext((method) => method === 'GET', { status: 500, code: 'InternalError' })
    const error = await s3.pull!({ cursor: null, limit: 10, userId }, adapterContext(userId)).then(
      () => undefined,
      (caught: unknown) => caught as AdapterError,
    )
    expect(error?.kind).toBe('server')
    expect(`${error?.message} ${String(error?.cause)}`).not.toMatch(/X-Amz-|127\.0\.0\.1/)
  })
})
